// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The cheapest possible tc program: a baseline for benchmarks and attach tests. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int passthrough(struct __sk_buff *skb __attribute__((unused)))
{
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
