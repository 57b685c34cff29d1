#include "rfnas.h"

uint32_t rfnas_version_number(void)
{
    return RFNAS_VERSION_NUMBER;
}

const char *rfnas_version_string(void)
{
    return RFNAS_VERSION_STRING;
}
