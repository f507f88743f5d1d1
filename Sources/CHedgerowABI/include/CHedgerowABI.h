/* Swift's view of bpf/include/hedgerow_abi.h: the same file, never a copy. */
#ifndef CHEDGEROW_ABI_SWIFT_H
#define CHEDGEROW_ABI_SWIFT_H
#include "../../../bpf/include/hedgerow_abi.h"
#endif
