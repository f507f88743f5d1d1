/*
 * Small C shims over libbpf for what Swift cannot reach: the print callback (C
 * varargs), and the option structs whose `sz` field LIBBPF_OPTS would fill.
 * Every function is prefixed clibbpf_ and returns 0 or a negative errno, like
 * libbpf 1.x itself, unless documented otherwise.
 */
#ifndef CLIBBPF_SHIM_H
#define CLIBBPF_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

/* MARK: libbpf messages */

/* Receives every message up to the level set with clibbpf_log_set_forward,
 * captured or not. `level` is an enum libbpf_print_level; `message` is one
 * formatted message, valid only for the duration of the call. */
typedef void (*clibbpf_log_forward_fn)(int level, const char *message);

/* Installs the shim as libbpf's print callback (idempotent). From then on libbpf
 * never writes to stderr: WARN and INFO messages go to the calling thread's
 * capture, if any, and every message up to `max_level` to the forward function,
 * if set. */
void clibbpf_log_install(void);
void clibbpf_log_set_forward(clibbpf_log_forward_fn fn, int max_level);

/* A per-thread capture of the last `capacity` bytes of WARN and INFO messages.
 * Captures nest: begin pushes, end pops. Libbpf calls the print callback on the
 * thread that called into libbpf, so a capture sees exactly its own messages. */
typedef struct clibbpf_log_capture clibbpf_log_capture;
clibbpf_log_capture *clibbpf_log_capture_begin(size_t capacity);
/* Ends the capture (it must be the innermost one on this thread) and returns the
 * captured text, NUL-terminated and malloc'd (the caller frees it), or NULL. */
char *clibbpf_log_capture_end(clibbpf_log_capture *capture);

/* MARK: objects */

/* bpf_object__open_file with options. pin_root_path and object_name may be NULL.
 * Returns NULL with errno set on failure. */
struct bpf_object *clibbpf_object_open(const char *path, const char *object_name,
				       const char *pin_root_path);

/* MARK: maps */

int clibbpf_map_create(enum bpf_map_type type, const char *name, uint32_t key_size,
		       uint32_t value_size, uint32_t max_entries, uint32_t map_flags);

/* The batch calls take `*count` elements in and report how many were processed. */
int clibbpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys,
			     void *values, uint32_t *count, uint64_t elem_flags);
int clibbpf_map_update_batch(int fd, const void *keys, const void *values,
			     uint32_t *count, uint64_t elem_flags);
int clibbpf_map_delete_batch(int fd, const void *keys, uint32_t *count,
			     uint64_t elem_flags);

/* MARK: tc (clsact) */

/* attach_point is BPF_TC_INGRESS or BPF_TC_EGRESS (or both for hook destroy). */
int clibbpf_tc_hook_create(int ifindex, uint32_t attach_point);
int clibbpf_tc_hook_destroy(int ifindex, uint32_t attach_point);

/* On success the kernel's chosen handle and priority and the attached program
 * id are written back through the pointers (in/out for handle and priority). */
int clibbpf_tc_attach(int ifindex, uint32_t attach_point, int prog_fd, bool replace,
		      uint32_t *handle, uint32_t *priority, uint32_t *prog_id);
int clibbpf_tc_detach(int ifindex, uint32_t attach_point, uint32_t handle,
		      uint32_t priority);
/* -ENOENT when no filter sits at handle/priority. */
int clibbpf_tc_query(int ifindex, uint32_t attach_point, uint32_t handle,
		     uint32_t priority, uint32_t *prog_id);

/* MARK: waiting for ring buffer records */

/* An epoll set over `watched_fd` (e.g. ring_buffer__epoll_fd) and a new eventfd that
 * clibbpf_waiter_wake signals. Returns the epoll descriptor and stores the eventfd in
 * *wake_fd (the caller closes both), or a negative errno. */
int clibbpf_waiter_create(int watched_fd, int *wake_fd);
/* Waits up to timeout_ms for either descriptor: >0 ready, 0 timeout, negative errno. */
int clibbpf_waiter_wait(int epoll_fd, int timeout_ms);
int clibbpf_waiter_wake(int wake_fd);

/* MARK: program test run */

struct clibbpf_test_run {
	const void *data_in;
	uint32_t data_size_in;
	void *data_out;
	uint32_t data_size_out; /* in: capacity of data_out; out: bytes written */
	const void *ctx_in;
	uint32_t ctx_size_in;
	void *ctx_out;
	uint32_t ctx_size_out;  /* in: capacity of ctx_out; out: bytes written */
	int repeat;
	uint32_t flags;
	uint32_t cpu;
	uint32_t retval;        /* out: the program's return value */
	uint32_t duration_ns;   /* out: mean duration of one run */
};

int clibbpf_prog_test_run(int prog_fd, struct clibbpf_test_run *run);

#endif /* CLIBBPF_SHIM_H */
