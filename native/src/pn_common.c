/* Status names and the per-thread error detail, shared by the CUDA and CPU-only builds. */
#include <stdarg.h>
#include <stdio.h>

#include "pinsage_native.h"
#include "pn_internal.h"

static _Thread_local char pn_detail[512];

const char *pn_error_string(int status) {
    switch (status) {
    case PN_OK: return "ok";
    case PN_ERR_INVALID_ARGUMENT: return "invalid argument";
    case PN_ERR_NO_CUDA: return "library built without CUDA";
    case PN_ERR_NO_DEVICE: return "no CUDA driver or device";
    case PN_ERR_OUT_OF_MEMORY: return "out of memory";
    case PN_ERR_CUDA: return "CUDA runtime error";
    case PN_ERR_UNAVAILABLE: return "optional component unavailable";
    case PN_ERR_UNSUPPORTED: return "unsupported on this device";
    default: return "unknown status";
    }
}

const char *pn_last_error_detail(void) { return pn_detail; }

int pn_fail(int status, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(pn_detail, sizeof pn_detail, format, args);
    va_end(args);
    return status;
}

const char *pn_version(void) { return "pinsage-native 0.1.0"; }
