/* Small C shims over libmnl for what Swift cannot reach (macros, inline functions). */
#ifndef CLIBMNL_SHIM_H
#define CLIBMNL_SHIM_H
#include <libmnl/libmnl.h>
#endif
