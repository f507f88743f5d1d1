// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Writes one record per run into a ring buffer. Tests trigger it with
 * BPF_PROG_TEST_RUN (skb->mark comes from the test's __sk_buff context), so no
 * traffic is needed to exercise the ring buffer reader.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct ringbuf_test_record {
	__u32 mark; /* skb->mark of the run */
	__u32 len;  /* skb->len of the run */
	__u64 seq;  /* per-CPU run counter */
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} test_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} test_seq SEC(".maps");

SEC("tc")
int emit_record(struct __sk_buff *skb)
{
	struct ringbuf_test_record *record;
	__u32 zero = 0;
	__u64 *seq;

	seq = bpf_map_lookup_elem(&test_seq, &zero);
	if (!seq)
		return TC_ACT_OK;
	*seq += 1;

	record = bpf_ringbuf_reserve(&test_events, sizeof(*record), 0);
	if (!record)
		return TC_ACT_OK;
	record->mark = skb->mark;
	record->len = skb->len;
	record->seq = *seq;
	bpf_ringbuf_submit(record, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
