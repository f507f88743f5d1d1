// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A tc program the verifier must reject: it reads packet data without checking
 * it against data_end. Tests load it to see the verifier log reach the caller.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int reject_unchecked_read(struct __sk_buff *skb)
{
	__u8 *data = (__u8 *)(long)skb->data;

	/* Missing: if (data + 1 > (__u8 *)(long)skb->data_end) return TC_ACT_OK; */
	return data[0] == 0xff ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
