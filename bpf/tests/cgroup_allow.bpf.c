// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* A cgroup program that allows everything: exercises bpf_link-based cgroup attachment. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup_skb/egress")
int allow_egress(struct __sk_buff *skb __attribute__((unused)))
{
	return 1; /* 1 = allow */
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
