/* headertest (STYLE R14, after libgit2's tests/headertest): the public header
 * is self-contained and compiles cleanly as C99, C11 and C++11 with
 * -pedantic -Wall -Wextra -Werror. headertest.py compiles this file once per
 * language standard; it is never linked. */
#include "rfnas.h"
#include "rfnas.h" /* a second time: the include guards work */

int main(void)
{
    rfnas_status s = RFNAS_OK;
    return (int)s + RFNAS_VERSION_MAJOR * 0;
}
