/* Runtime version against the header and meson's project version (STYLE R7,
 * CI #12; SQLite's header assert). Linked against the shared library. */
#include <stdio.h>
#include <string.h>

#include "rfnas.h"

#ifndef RFNAS_ABI_PROJECT_VERSION
#error "tests/abi/meson.build passes -DRFNAS_ABI_PROJECT_VERSION=\"<meson.project_version()>\""
#endif

int main(void)
{
    int bad = 0;
    unsigned major = 0, minor = 0, patch = 0;
    char expect_string[64];

    if (rfnas_version_number() != (uint32_t)RFNAS_VERSION_NUMBER) {
        printf("FAIL: rfnas_version_number() = %u, but the header's RFNAS_VERSION_NUMBER is %u: "
               "the library and rfnas_version.h come from different builds\n",
               (unsigned)rfnas_version_number(), (unsigned)RFNAS_VERSION_NUMBER);
        bad = 1;
    }
    if (rfnas_version_string() == NULL ||
        strcmp(rfnas_version_string(), RFNAS_VERSION_STRING) != 0) {
        printf("FAIL: rfnas_version_string() = \"%s\", header RFNAS_VERSION_STRING = \"%s\"\n",
               rfnas_version_string() ? rfnas_version_string() : "(null)",
               RFNAS_VERSION_STRING);
        bad = 1;
    }
    if (strcmp(RFNAS_VERSION_STRING, RFNAS_ABI_PROJECT_VERSION) != 0) {
        printf("FAIL: RFNAS_VERSION_STRING = \"%s\" but meson's project version is \"%s\"\n",
               RFNAS_VERSION_STRING, RFNAS_ABI_PROJECT_VERSION);
        bad = 1;
    }
    if (sscanf(RFNAS_ABI_PROJECT_VERSION, "%u.%u.%u", &major, &minor, &patch) != 3 ||
        major != RFNAS_VERSION_MAJOR || minor != RFNAS_VERSION_MINOR ||
        patch != RFNAS_VERSION_PATCH ||
        (unsigned)RFNAS_VERSION_NUMBER != major * 10000u + minor * 100u + patch) {
        printf("FAIL: RFNAS_VERSION_MAJOR/MINOR/PATCH/NUMBER = %d/%d/%d/%d do not encode "
               "meson's project version %s as M*10000 + m*100 + p\n",
               RFNAS_VERSION_MAJOR, RFNAS_VERSION_MINOR, RFNAS_VERSION_PATCH,
               RFNAS_VERSION_NUMBER, RFNAS_ABI_PROJECT_VERSION);
        bad = 1;
    }
    snprintf(expect_string, sizeof expect_string, "%u.%u.%u", (unsigned)(rfnas_version_number() / 10000),
             (unsigned)(rfnas_version_number() / 100 % 100), (unsigned)(rfnas_version_number() % 100));
    if (strcmp(expect_string, rfnas_version_string()) != 0) {
        printf("FAIL: rfnas_version_number() %u and rfnas_version_string() \"%s\" disagree\n",
               (unsigned)rfnas_version_number(), rfnas_version_string());
        bad = 1;
    }
    if (!bad)
        printf("OK: runtime version %s (%u) = header = meson project version\n",
               rfnas_version_string(), (unsigned)rfnas_version_number());
    return bad;
}
