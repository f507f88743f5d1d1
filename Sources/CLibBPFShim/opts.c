/* Option structs filled the way LIBBPF_OPTS would (sz set, the rest zeroed). */
#include "CLibBPFShim.h"

#include <errno.h>
#include <string.h>

struct bpf_object *clibbpf_object_open(const char *path, const char *object_name,
				       const char *pin_root_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts,
		.object_name = object_name,
		.pin_root_path = pin_root_path);
	return bpf_object__open_file(path, &opts);
}

int clibbpf_map_create(enum bpf_map_type type, const char *name, uint32_t key_size,
		       uint32_t value_size, uint32_t max_entries, uint32_t map_flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = map_flags);
	return bpf_map_create(type, name, key_size, value_size, max_entries, &opts);
}

int clibbpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys,
			     void *values, uint32_t *count, uint64_t elem_flags)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = elem_flags);
	return bpf_map_lookup_batch(fd, in_batch, out_batch, keys, values, count, &opts);
}

int clibbpf_map_update_batch(int fd, const void *keys, const void *values,
			     uint32_t *count, uint64_t elem_flags)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = elem_flags);
	return bpf_map_update_batch(fd, keys, values, count, &opts);
}

int clibbpf_map_delete_batch(int fd, const void *keys, uint32_t *count, uint64_t elem_flags)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = elem_flags);
	return bpf_map_delete_batch(fd, keys, count, &opts);
}

int clibbpf_tc_hook_create(int ifindex, uint32_t attach_point)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		.attach_point = (enum bpf_tc_attach_point)attach_point);
	return bpf_tc_hook_create(&hook);
}

int clibbpf_tc_hook_destroy(int ifindex, uint32_t attach_point)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		.attach_point = (enum bpf_tc_attach_point)attach_point);
	return bpf_tc_hook_destroy(&hook);
}

int clibbpf_tc_attach(int ifindex, uint32_t attach_point, int prog_fd, bool replace,
		      uint32_t *handle, uint32_t *priority, uint32_t *prog_id)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		.attach_point = (enum bpf_tc_attach_point)attach_point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd,
		.flags = replace ? BPF_TC_F_REPLACE : 0,
		.handle = *handle, .priority = *priority);
	int err = bpf_tc_attach(&hook, &opts);
	if (err)
		return err;
	*handle = opts.handle;
	*priority = opts.priority;
	*prog_id = opts.prog_id;
	return 0;
}

int clibbpf_tc_detach(int ifindex, uint32_t attach_point, uint32_t handle, uint32_t priority)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		.attach_point = (enum bpf_tc_attach_point)attach_point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle, .priority = priority);
	return bpf_tc_detach(&hook, &opts);
}

int clibbpf_tc_query(int ifindex, uint32_t attach_point, uint32_t handle, uint32_t priority,
		     uint32_t *prog_id)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		.attach_point = (enum bpf_tc_attach_point)attach_point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle, .priority = priority);
	int err = bpf_tc_query(&hook, &opts);
	if (err)
		return err;
	*prog_id = opts.prog_id;
	return 0;
}

int clibbpf_prog_test_run(int prog_fd, struct clibbpf_test_run *run)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = run->data_in,
		.data_size_in = run->data_size_in,
		.data_out = run->data_out,
		.data_size_out = run->data_size_out,
		.ctx_in = run->ctx_in,
		.ctx_size_in = run->ctx_size_in,
		.ctx_out = run->ctx_out,
		.ctx_size_out = run->ctx_size_out,
		.repeat = run->repeat,
		.flags = run->flags,
		.cpu = run->cpu);
	int err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err)
		return err;
	run->data_size_out = opts.data_size_out;
	run->ctx_size_out = opts.ctx_size_out;
	run->retval = opts.retval;
	run->duration_ns = opts.duration;
	return 0;
}
