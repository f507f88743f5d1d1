/* Small C shims over libbpf for what Swift cannot reach (macros, inline functions, varargs). */
#ifndef CLIBBPF_SHIM_H
#define CLIBBPF_SHIM_H
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#endif
