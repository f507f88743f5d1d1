/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The agent's settings for the endpoint programs (hedgerow_config, one element),
 * read once per packet. A zero field means its default, so a datapath whose
 * agent never wrote the map behaves sensibly.
 */
#ifndef HEDGEROW_CONFIG_H
#define HEDGEROW_CONFIG_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "hedgerow_abi.h"

#define DEFAULT_REPORT_INTERVAL_S 5
#define FALLBACK_TICKS_PER_SECOND 1000
#define DEFAULT_CT_TCP_LIFETIME_S 21600
#define DEFAULT_CT_SYN_LIFETIME_S 60
#define DEFAULT_CT_CLOSE_LIFETIME_S 10
#define DEFAULT_CT_OTHER_LIFETIME_S 60

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hedgerow_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_config SEC(".maps");

/* Read when the map has no element (never for index 0 of an array, but the verifier asks). */
static const struct hedgerow_config hedgerow_config_unset = {};

/* The settings for this packet: a pointer into the map, read field by field as needed. */
static __always_inline const struct hedgerow_config *config_get(void)
{
	__u32 zero = 0;
	const struct hedgerow_config *config = bpf_map_lookup_elem(&hedgerow_config, &zero);

	return config ? config : &hedgerow_config_unset;
}

static __always_inline __u32 or_default(__u32 value, __u32 fallback)
{
	return value ? value : fallback;
}

static __always_inline __u32 config_aggregation(const struct hedgerow_config *config)
{
	return or_default(config->aggregation, HEDGEROW_AGGREGATION_MEDIUM);
}

/* The kernel's HZ, resolved by libbpf from the kernel config at load time (0 when
 * it found none: then the agent's measurement in the config map, else a guess). */
extern unsigned int CONFIG_HZ __kconfig __weak;

static __always_inline __u32 config_ticks_per_second(const struct hedgerow_config *config)
{
	if (config->ticks_per_second)
		return config->ticks_per_second;
	return CONFIG_HZ ? CONFIG_HZ : FALLBACK_TICKS_PER_SECOND;
}

static __always_inline __u64 config_report_interval_ticks(const struct hedgerow_config *config)
{
	__u64 interval = config->report_interval_ticks;

	return interval ? interval : (__u64)DEFAULT_REPORT_INTERVAL_S * config_ticks_per_second(config);
}

#endif /* HEDGEROW_CONFIG_H */
