/* A stand-in librfnas of the next minor version, so that test_capi.py can
 * check end to end that importing rfnas with RFNAS_LIBRARY pointing here is
 * an ImportError naming both versions (the binding must never call into a
 * library whose ABI it was not written for). */
#include <stdint.h>

__attribute__((visibility("default"))) uint32_t rfnas_version_number(void);

uint32_t rfnas_version_number(void)
{
    return RFNAS_FAKE_VERSION_NUMBER;
}
