/* The harness ops of protocol "splinter/1" (spec/harness.md HP-3.3-d;
 * request and response shapes in README.md, "Splinter ops"), judged by
 * libsplinter, and the clock both they and the Splinter service use. */
#ifndef NODE_SP_OPS_H
#define NODE_SP_OPS_H

#include "shim.h"
#include "splinter/splinter.h"

/* The `from` of every envelope tamtam-node writes (fault replies,
 * responses, heartbeats, the announcement), unless `splinter --name`. */
#define SP_SERVICE_NAME "tamtam-node"

/* Turns every finite number below `v` (an object or array) into a raw
 * value written exactly: an integer of magnitude up to 2^53 as its digits,
 * any other number with 17 significant digits. cJSON's own printing stops
 * at 15 digits when they come within a relative DBL_EPSILON, so
 * 9007199254740991 would come back as 9.00719925474099e+15. */
void node_exact_numbers(cJSON *v);

/* The real time (CLOCK_REALTIME) as an sp_time. */
sp_time node_sp_now(void);

/* {"op":"splinter.validate","line":S[,"now":T][,"allow":{...}]}: one
 * response line, the envelope as parsed or the fault. */
void sp_op_validate(const struct shim_request *rq);

/* {"op":"splinter.reassemble","lines":[S...],"now":T}: the payloads in
 * delivery order, completeness, per-line faults, or STREAM_TIMEOUT. */
void sp_op_reassemble(const struct shim_request *rq);

/* {"op":"splinter.fault","trigger":S,"fault":N[,"detail":S][,"now":T]}:
 * the error envelope tamtam-node would send, or no_reply. */
void sp_op_fault(const struct shim_request *rq);

#endif
