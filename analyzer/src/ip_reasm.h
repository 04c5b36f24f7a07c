/*
 * IPv4 and IPv6 fragment reassembly for the analyzer: fragments in, whole
 * transport segments out, with bounded memory. A datagram is keyed by
 * (IP version, addresses, protocol, identification); its fragments are
 * kept as received until their bytes cover 0 up to the end the last
 * fragment (more-fragments clear) gives. Overlaps: the first copy of a byte
 * wins, as in tcp_reasm; a later copy that differs is counted as a conflict.
 * A datagram not complete AN_IPFRAG_TIMEOUT_US of capture time after its
 * first fragment, or at the end of the input, is given up (counted); so is
 * the oldest when the caps are reached.
 */
#ifndef AN_IP_REASM_H
#define AN_IP_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

#define AN_IPFRAG_TIMEOUT_US 30000000u /* 30 s, Linux's ipfrag_time */
#define AN_IPFRAG_MAX_DATAGRAMS 1024u  /* pending at once */
#define AN_IPFRAG_MAX_BYTES ((size_t)8 << 20) /* fragment bytes held, at
                                                 most half of --mem-cap */
#define AN_IPFRAG_MAX_LEN 65535u       /* bytes of a reassembled payload */

typedef struct an_ipfrag_counts {
    uint64_t fragments;   /* fragments taken */
    uint64_t reassembled; /* datagrams completed */
    uint64_t used;        /* fragments that went into them */
    uint64_t incomplete;  /* datagrams given up: time, caps or the end */
    uint64_t overlaps, conflicts; /* fragments overlapping; differing */
    uint64_t invalid;     /* fragments past the maximum length, or cut by
                             the snap length (their datagram cannot
                             complete; counted, then given up with it) */
} an_ipfrag_counts;

typedef struct an_ipfrag an_ipfrag;

/* A new reassembler counting its allocations in *mem_used (not NULL) and
 * holding at most min(budget, AN_IPFRAG_MAX_BYTES) bytes of fragments (the
 * last reassembled payload, up to 64 KiB, comes on top). Returns NULL when
 * out of memory. */
an_ipfrag *an_ipfrag_new(uint64_t *mem_used, size_t budget);

/* Frees everything. NULL is fine. */
void an_ipfrag_free(an_ipfrag *r);

/* Takes fragment `p` (an AN_PKT_FRAGMENT from an_packet_parse: addresses,
 * proto, frag_*, and payload/len/cap the fragment's data) captured at
 * `ts_us`. Returns 1 when it completed its datagram: the transport segment
 * is parsed into *out (ports, payload pointing into the reassembler, valid
 * until the next call), and the return of an_packet_parse_l4 is in *res;
 * 0 when the datagram is not complete yet (or the fragment was dropped). */
int an_ipfrag_add(an_ipfrag *r, const an_packet *p, uint64_t ts_us,
                  an_packet *out, an_pkt_result *res);

/* Gives up datagrams older than the timeout at `ts_us` (all with
 * UINT64_MAX, at the end of the input). */
void an_ipfrag_expire(an_ipfrag *r, uint64_t ts_us);

const an_ipfrag_counts *an_ipfrag_counts_of(const an_ipfrag *r);

#endif
