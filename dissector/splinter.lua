-- splinter.lua: Wireshark dissector for Splinter envelopes v1.0
-- (spec/splinter-envelope.md of the TamTam interoperability suite).
--
-- Three files side by side in the plugin folder: this one, tamtam_common.lua
-- (helpers shared by the suite's protocol files, the JSON reader among them)
-- and splinter_faults.lua (the fault table, generated from SP_FAULT_MAP of
-- reference/splinter/include/splinter/splinter.h by sp_fault_table_gen lua;
-- the test dissector.splinter_faults_current keeps it equal).
-- Wireshark 4.0 (Lua 5.2) and newer.
--
-- TCP, port 4775 by default (preference splinter.tcp_ports): one JSON
-- envelope per line, LF-terminated (CR LF tolerated), lines reassembled
-- across segments. Each line is judged as the reference validator judges it
-- (spec SP-7: 1000, 3000, 1000 payload, then TTL against the capture time);
-- authorization (2000) and streams (SP-8) are not judged: see README.md.

local dir = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or ""

local common = package.loaded.tamtam_common
if not common then
    local ok, m = pcall(dofile, dir .. "tamtam_common.lua")
    common = ok and (m or package.loaded.tamtam_common) or nil
    if not common then
        error("splinter.lua needs tamtam_common.lua in the same folder (" .. dir .. "): " .. tostring(m))
    end
end

-- {[code] = {symbol, recoverable, description}}, generated.
local FAULTS
do
    local ok, m = pcall(dofile, dir .. "splinter_faults.lua")
    if not ok or type(m) ~= "table" then
        error("splinter.lua needs splinter_faults.lua in the same folder (" .. dir .. "): " .. tostring(m))
    end
    FAULTS = m
end

local sbyte, sfind, sformat = string.byte, string.find, string.format

set_plugin_info({
    version = "1.0.0",
    description = "Splinter envelope v1.0 dissector",
    repository = "dissector/ of the TamTam interoperability suite",
})

---------------------------------------------------------------------------
-- The fault table: value strings, and the codes this file reports. A
-- symbol missing from the generated table is a load error.
---------------------------------------------------------------------------
local FAULT_VS, FAULT_CODE = {}, {}
for code, f in pairs(FAULTS) do
    FAULT_VS[code] = f.symbol
    FAULT_CODE[f.symbol] = code
end
local function fault_code(symbol)
    return FAULT_CODE[symbol] or error("splinter.lua: splinter_faults.lua has no fault " .. symbol)
end
local BAD_SCHEMA = fault_code("BAD_SCHEMA")
local UNKNOWN_TYPE = fault_code("UNKNOWN_TYPE")
local TTL_EXPIRED = fault_code("TTL_EXPIRED")

-- Limits of the spec (SP-2-e, SP-2-f, SP-3.1-b, SP-3.2-b, SP-3.2-d, SP-4-d),
-- integer maxima as digits (compared exactly, never as floats).
local LINE_MAX = 1048576
local DEPTH_MAX = 64
local ID_MAX = 128
local TTL_MAX = "9007199254740991"
local SEQ_MAX = "4294967295"
local CODE_MAX = "2147483647"
local NUMBER_MAX = 63

local TYPES = { query = true, response = true, event = true, error = true, heartbeat = true }
local KNOWN_MEMBERS = { id = true, ts = true, from = true, to = true, type = true, payload = true,
                        ttl_ms = true, trace = true, seq = true, eof = true }

---------------------------------------------------------------------------
-- Protocol, fields, expert info
---------------------------------------------------------------------------
local splinter = Proto("splinter", "Splinter envelope")

local F = common.fields(splinter, {
    { "id", ProtoField.string("splinter.id", "Id") },
    { "ts", ProtoField.string("splinter.ts", "Timestamp") },
    { "from", ProtoField.string("splinter.from", "From") },
    { "to", ProtoField.string("splinter.to", "To") },
    { "type", ProtoField.string("splinter.type", "Type") },
    { "seq", ProtoField.uint32("splinter.seq", "Seq", base.DEC) },
    { "eof", ProtoField.bool("splinter.eof", "Eof") },
    { "ttl_ms", ProtoField.uint64("splinter.ttl_ms", "TTL (ms)", base.DEC) },
    { "trace", ProtoField.string("splinter.trace", "Trace") },
    { "valid", ProtoField.bool("splinter.valid", "Valid") },
    { "fault_code", ProtoField.uint32("splinter.fault.code", "Fault (a receiver answers it)", base.DEC, FAULT_VS) },
    { "fault_symbol", ProtoField.string("splinter.fault.symbol", "Fault symbol") },
    { "requirement", ProtoField.string("splinter.requirement", "Failed requirement") },
    { "error_code", ProtoField.uint32("splinter.error.code", "Error payload code", base.DEC, FAULT_VS) },
    { "error_symbol", ProtoField.string("splinter.error.symbol", "Error payload symbol") },
    { "error_detail", ProtoField.string("splinter.error.detail", "Error payload detail") },
    { "length", ProtoField.uint32("splinter.line_length", "Line length (without terminator)", base.DEC) },
})

-- One expert per fault of the table (splinter.fault.bad_schema, ...): the
-- fault the dissector judges a line to cause; never group MALFORMED, which
-- marks _ws.malformed and is kept for dissector failures.
local expert_list, FAULT_EXPERT = {}, {}
do
    local codes = {}
    for code in pairs(FAULTS) do codes[#codes + 1] = code end
    table.sort(codes)
    for _, code in ipairs(codes) do
        local sym = FAULTS[code].symbol
        expert_list[#expert_list + 1] = { code, "splinter.fault." .. sym:lower(),
            sformat("%d %s", code, sym), "PROTOCOL", "ERROR" }
    end
end
for _, e in ipairs({
    { "reported", "splinter.error_envelope", "Error envelope (a fault reply)", "RESPONSE_CODE", "WARN" },
    { "id_not_uuidv7", "splinter.id_not_uuidv7", "id is not a UUIDv7 (SP-3.1-c)", "PROTOCOL", "NOTE" },
    { "unknown_fault_code", "splinter.unknown_fault_code", "Fault code not in the table (SP-4-e)", "PROTOCOL", "NOTE" },
    { "unknown_member", "splinter.unknown_member", "Unknown member, kept (SP-3.3-a)", "PROTOCOL", "NOTE" },
}) do
    expert_list[#expert_list + 1] = e
end
local E = common.experts(splinter, expert_list)
for code in pairs(FAULTS) do
    FAULT_EXPERT[code] = E[code]
end

---------------------------------------------------------------------------
-- Preferences
---------------------------------------------------------------------------
local DEFAULT_PORTS = "4775"
splinter.prefs.tcp_ports = Pref.range("TCP ports", DEFAULT_PORTS, "TCP ports decoded as Splinter", 65535)
splinter.prefs.ttl = Pref.bool("Judge ttl_ms by the capture time", true,
    "Report 1001 TTL_EXPIRED when the packet that completes a line was captured later than ts + ttl_ms")
splinter.prefs.heuristic = Pref.bool("Try heuristic on other TCP ports", false,
    "Take a TCP conversation on any port as Splinter when a segment starts with a whole line holding an "
        .. "envelope whose required members are all well formed")
splinter.prefs.json = Pref.bool("Show each line with the JSON dissector", true,
    "Hand every line that is well-formed JSON to Wireshark's JSON dissector")

local tcp_table = DissectorTable.get("tcp.port")
tcp_table:add_for_decode_as(splinter)
local registered = ""
local function register_ports()
    local want = tostring(splinter.prefs.tcp_ports)
    if want ~= registered then
        if registered ~= "" then
            tcp_table:remove(registered, splinter)
        end
        if want ~= "" then
            tcp_table:add(want, splinter)
        end
        registered = want
    end
end
register_ports()

function splinter.prefs_changed()
    register_ports()
end

---------------------------------------------------------------------------
-- Stage 1 as the reference validator orders it (SP-7-b): length, UTF-8,
-- one scan of the text, the JSON parse, duplicates, then the members.
-- Each check returns nil when fine, else requirement, message.
---------------------------------------------------------------------------

-- SP-2-b: the first byte that is not valid UTF-8 (RFC 3629), or nil.
local function utf8_invalid_at(s)
    local i, n = 1, #s
    while true do
        i = sfind(s, "[\128-\255]", i)
        if not i then
            return nil
        end
        local c, len, lo, hi = sbyte(s, i), nil, 0x80, 0xBF
        if c >= 0xC2 and c <= 0xDF then
            len = 2
        elseif c >= 0xE0 and c <= 0xEF then
            len = 3
            if c == 0xE0 then lo = 0xA0 elseif c == 0xED then hi = 0x9F end
        elseif c >= 0xF0 and c <= 0xF4 then
            len = 4
            if c == 0xF0 then lo = 0x90 elseif c == 0xF4 then hi = 0x8F end
        else
            return i
        end
        if n - i + 1 < len then
            return i
        end
        local c2 = sbyte(s, i + 1)
        if c2 < lo or c2 > hi then
            return i
        end
        for k = 2, len - 1 do
            local ck = sbyte(s, i + k)
            if ck < 0x80 or ck > 0xBF then
                return i
            end
        end
        i = i + len
    end
end

-- Skips the string at i (its quote); returns the index after it, or nil
-- and "SP-2-c" / "SP-2-g" with the position of the problem.
local function skip_string(s, i)
    local p = i + 1
    while true do
        local k = sfind(s, "[\"\\\0-\31]", p)
        if not k then
            return nil, "SP-2-c", #s + 1
        end
        local c = sbyte(s, k)
        if c == 34 then
            return k + 1
        elseif c < 0x20 then
            return nil, "SP-2-c", k
        end
        local e = sbyte(s, k + 1)
        if e == 117 then
            local hex = s:sub(k + 2, k + 5)
            if not hex:find("^%x%x%x%x$") then
                return nil, "SP-2-c", k
            end
            if hex == "0000" then
                return nil, "SP-2-g", k
            end
            p = k + 6
        elseif e and sfind("\"\\/bfnrt", string.char(e), 1, true) then
            p = k + 2
        else
            return nil, "SP-2-c", k
        end
    end
end

local function is_ws(c)
    return c == 32 or c == 9 or c == 13
end

-- SP-2-h, SP-2-a, SP-2-c, SP-2-e, SP-2-g: what one pass over the text sees,
-- the first problem in text order (the reference's scan_text).
local function scan_text(s)
    local n = #s
    local i = select(2, sfind(s, "^[ \t\r]*")) + 1
    if i > n then
        return "SP-2-h", "the line holds no JSON value"
    end
    if sbyte(s, i) ~= 123 then
        return "SP-2-h", sformat("the line is not a JSON object (byte %d is 0x%02x)", i - 1, sbyte(s, i))
    end
    local depth, closed = 0, false
    while i <= n do
        local c = sbyte(s, i)
        if closed and not is_ws(c) then
            return "SP-2-a", sformat("byte %d (0x%02x) follows the envelope object", i - 1, c)
        end
        if c == 123 or c == 91 then
            depth = depth + 1
            if depth > DEPTH_MAX then
                return "SP-2-e", sformat("nesting deeper than %d at byte %d", DEPTH_MAX, i - 1)
            end
            i = i + 1
        elseif c == 125 or c == 93 then
            depth = depth - 1
            closed = depth == 0
            i = i + 1
        elseif c == 34 then
            local after, req, pos = skip_string(s, i)
            if not after then
                return req, req == "SP-2-g" and sformat("escaped NUL (\\u0000) in a string at byte %d", pos - 1)
                    or sformat("bad string at byte %d (control character, bad escape or no closing quote)", pos - 1)
            end
            i = after
        elseif c == 45 or (c >= 48 and c <= 57) then
            local e = common.json_number_end(s, i)
            if not e then
                return "SP-2-c", sformat("malformed number at byte %d", i - 1)
            elseif e - i > NUMBER_MAX then
                return "SP-2-c", sformat("number at byte %d is longer than %d characters", i - 1, NUMBER_MAX)
            end
            i = e
        elseif is_ws(c) or c == 44 or c == 58 then
            i = i + 1
        else
            local word = s:match("^true", i) or s:match("^false", i) or s:match("^null", i)
            if not word then
                return "SP-2-c", sformat("byte %d (0x%02x) is not JSON here", i - 1, c)
            end
            i = i + #word
        end
    end
    return nil
end

-- SP-5-a..e: ts (unescaped) as seconds and nanoseconds since the epoch, or
-- nil. Days from civil: H. Hinnant's algorithm, as the reference's.
local function days_in_month(y, m)
    if m == 2 and ((y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0) then
        return 29
    end
    return ({ 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 })[m]
end

local function days_from_civil(y, m, d)
    if m <= 2 then y = y - 1 end
    local era = math.floor(y / 400)
    local yoe = y - era * 400
    local doy = math.floor((153 * (m + (m > 2 and -3 or 9)) + 2) / 5) + d - 1
    local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
    return era * 146097 + doe - 719468
end

local function parse_ts(s)
    local y, mo, d, sep, h, mi, se, rest = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)([Tt])(%d%d):(%d%d):(%d%d)(.*)$")
    if not y then
        return nil
    end
    y, mo, d, h, mi, se = tonumber(y), tonumber(mo), tonumber(d), tonumber(h), tonumber(mi), tonumber(se)
    if mo < 1 or mo > 12 or d < 1 or d > days_in_month(y, mo) or h > 23 or mi > 59 or se > 60 then
        return nil
    end
    if se == 60 and (h ~= 23 or mi ~= 59) then -- SP-5-e
        return nil
    end
    local nsec = 0
    local frac, offset = rest:match("^%.(%d*)(.*)$")
    if frac then
        if #frac < 1 or #frac > 9 then -- SP-5-c
            return nil
        end
        nsec = tonumber(frac .. string.rep("0", 9 - #frac))
    else
        offset = rest
    end
    if offset ~= "Z" and offset ~= "z" and offset ~= "+00:00" then -- SP-5-b
        return nil
    end
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se, nsec
end

-- SP-3.1-c: a 36-character hyphenated UUID of version 7 and variant 10.
local function is_uuidv7(id)
    return id:find("^%x%x%x%x%x%x%x%x%-%x%x%x%x%-7%x%x%x%-[89abAB]%x%x%x%-%x%x%x%x%x%x%x%x%x%x%x%x$") ~= nil
end

local json_read, json_uint = common.json_read, common.json_uint

local function str(node)
    return node and node.kind == "string" and node.value or nil
end

-- Judges one line (without terminator). Returns a result table: fault
-- (nil when valid), req, detail, root (the parsed object, when stage 1's
-- text checks passed), env (the members read so far), notes.
-- Notes go with valid envelopes only (SP-9.3).
local function failed(r, fault, req, detail)
    r.fault, r.req, r.detail = fault, req, detail
    r.notes = {}
    return r
end

local function judge(s, arrival_sec, arrival_nsec, check_ttl)
    local r = { env = {}, notes = {} }
    if #s > LINE_MAX then
        return failed(r, BAD_SCHEMA, "SP-2-f", sformat("the line is %d bytes, more than %d", #s, LINE_MAX))
    end
    local bad = utf8_invalid_at(s)
    if bad then
        return failed(r, BAD_SCHEMA, "SP-2-b", sformat("invalid UTF-8 at byte %d (0x%02x)", bad - 1, sbyte(s, bad)))
    end
    local req, msg = scan_text(s)
    if req then
        return failed(r, BAD_SCHEMA, req, msg)
    end
    local root, err, pos, dup = json_read(s, DEPTH_MAX)
    if not root then
        return failed(r, BAD_SCHEMA, "SP-2-c", sformat("not valid JSON at byte %d: %s", pos - 1, err))
    end
    r.root = root
    if dup then
        return failed(r, BAD_SCHEMA, "SP-2-d", sformat("member name \"%s\" appears twice in one object", dup:sub(1, 60)))
    end
    local m = root.members
    local env = r.env
    for _, name in ipairs({ "id", "ts", "from", "type" }) do
        if not m[name] then
            return failed(r, BAD_SCHEMA, "SP-3.1-a", sformat("required member \"%s\" is missing", name))
        end
    end
    -- Members are shown as far as they are read, even on a fault.
    local id = str(m.id)
    if not id or #id == 0 or #id > ID_MAX then
        return failed(r, BAD_SCHEMA, "SP-3.1-b", sformat("\"id\" must be a string of 1 to %d bytes", ID_MAX))
    end
    env.id = id
    local ts_sec, ts_nsec
    if str(m.ts) then
        ts_sec, ts_nsec = parse_ts(m.ts.value)
    end
    if not ts_sec then
        return failed(r, BAD_SCHEMA, "SP-3.1-d", "\"ts\" must be an RFC 3339 UTC date-time (SP-5)")
    end
    env.ts = m.ts.value
    local from = str(m.from)
    if not from or from == "" then
        return failed(r, BAD_SCHEMA, "SP-3.1-e", "\"from\" must be a non-empty string")
    end
    env.from = from
    if m.to then
        local to = str(m.to)
        if not to or to == "" then
            return failed(r, BAD_SCHEMA, "SP-3.2-a", "\"to\" must be a non-empty string")
        end
        env.to = to
    end
    local ty = str(m.type)
    if not ty then
        return failed(r, BAD_SCHEMA, "SP-3.1-f", "\"type\" must be a string")
    end
    env.type = ty
    if m.ttl_ms then
        env.ttl_ms = json_uint(m.ttl_ms, TTL_MAX)
        if not env.ttl_ms then
            return failed(r, BAD_SCHEMA, "SP-3.2-b", "\"ttl_ms\" must be an integer 0..2^53-1 written as digits")
        end
    end
    if m.trace then
        if not str(m.trace) then
            return failed(r, BAD_SCHEMA, "SP-3.2-c", "\"trace\" must be a string")
        end
        env.trace = m.trace.value
    end
    if m.seq then
        env.seq = json_uint(m.seq, SEQ_MAX)
        if not env.seq then
            return failed(r, BAD_SCHEMA, "SP-3.2-d", "\"seq\" must be an integer 0..2^32-1 written as digits")
        end
    end
    if m.eof then
        if m.eof.kind ~= "true" and m.eof.kind ~= "false" then
            return failed(r, BAD_SCHEMA, "SP-3.2-d", "\"eof\" must be true or false")
        end
        env.eof = m.eof.kind == "true"
    end
    if (m.seq == nil) ~= (m.eof == nil) then
        return failed(r, BAD_SCHEMA, "SP-3.2-e", "\"seq\" and \"eof\" must appear together")
    end

    -- Stage 2: the type (SP-4-a).
    if not TYPES[ty] then
        return failed(r, UNKNOWN_TYPE, "SP-4-a", sformat("unknown type \"%s\"", ty:sub(1, 60)))
    end

    -- Stage 3: the type's payload (SP-4-b, SP-4-d, SP-4-e).
    local p = m.payload
    if not p and ty ~= "heartbeat" then
        return failed(r, BAD_SCHEMA, "SP-4-b", sformat("a \"%s\" envelope must carry \"payload\"", ty))
    end
    if ty == "error" then
        local pm = p.kind == "object" and p.members or {}
        local code = json_uint(pm.code, CODE_MAX)
        local sym, det = str(pm.symbol), pm.detail
        if code then env.error_code = code end
        if sym then env.error_symbol = sym end
        if p.kind ~= "object" or not code or not sym or (det and not str(det)) then
            return failed(r, BAD_SCHEMA, "SP-4-d", "an error payload must be an object with integer \"code\", "
                .. "string \"symbol\" and optional string \"detail\"")
        end
        env.error_detail = det and det.value
        if FAULTS[code] and FAULTS[code].symbol ~= sym then
            return failed(r, BAD_SCHEMA, "SP-4-e", sformat("code %d has symbol \"%s\", not \"%s\"", code,
                FAULTS[code].symbol, sym:sub(1, 40)))
        end
        if not FAULTS[code] then
            r.notes[#r.notes + 1] = "unknown_fault_code"
        end
    end

    -- Stage 4, authorization (SP-6-b), needs the receiver's allow-list: not
    -- judged. Stage 5: time to live (SP-5.1-a), late only when strictly
    -- after ts + ttl_ms, to the nanosecond.
    if check_ttl and env.ttl_ms and arrival_sec then
        local ms = env.ttl_ms
        local d_sec = ts_sec + math.floor(ms / 1000)
        local d_nsec = ts_nsec + (ms % 1000) * 1000000
        if d_nsec >= 1000000000 then
            d_sec, d_nsec = d_sec + 1, d_nsec - 1000000000
        end
        if arrival_sec > d_sec or (arrival_sec == d_sec and arrival_nsec > d_nsec) then
            return failed(r, TTL_EXPIRED, "SP-5.1-a", sformat("arrived after ts + ttl_ms (%d ms)", ms))
        end
    end

    -- Info notes (SP-9.3).
    if not is_uuidv7(id) then
        table.insert(r.notes, 1, "id_not_uuidv7")
    end
    for _, name in ipairs(root.names) do
        if not KNOWN_MEMBERS[name] then
            r.notes[#r.notes + 1] = "unknown_member"
            break
        end
    end
    return r
end

---------------------------------------------------------------------------
-- One line: the tree, the columns, the JSON dissector.
---------------------------------------------------------------------------
local json_dissector = Dissector.get("json")
local fx_time = Field.new("frame.time_epoch")
local PRIV_INFO = "splinter_info"

-- The packet's capture time as seconds and nanoseconds (the arrival of the
-- lines the packet completes).
local function arrival(pinfo)
    local fi = fx_time()
    local t = fi and fi.value
    if t and t.secs then
        return t.secs, t.nsecs
    end
    local abs = pinfo.abs_ts
    local sec = math.floor(abs)
    return sec, math.floor((abs - sec) * 1e6 + 0.5) * 1000
end

local NOTE_TEXT = {
    id_not_uuidv7 = "id is not a UUIDv7 (SP-3.1-c; valid)",
    unknown_fault_code = "the error payload's code is not in the fault table (SP-4-e; valid)",
    unknown_member = "the envelope has a member this version does not define; kept (SP-3.3-a)",
}

-- Members shown as fields of the same name (ttl_ms, a uint64, apart).
local MEMBER_FIELDS = { "id", "ts", "from", "to", "type", "seq", "eof", "trace" }

local function item_of(tvb, base_off, node)
    return tvb(base_off + node.first - 1, node.last - node.first + 1)
end

-- tvb holds the line at off, len bytes without its terminator; term is the
-- terminator's length (1 or 2).
local function dissect_line(tvb, pinfo, tree, off, len, term)
    local s = tvb:raw(off, len)
    local sec, nsec = arrival(pinfo)
    local r = judge(s, sec, nsec, splinter.prefs.ttl)
    local ti = tree:add(splinter, tvb(off, len + term))
    ti:add(F.length, tvb(off, len), len)
    local env, m = r.env, r.root and r.root.members or {}

    for _, key in ipairs(MEMBER_FIELDS) do
        if env[key] ~= nil and m[key] then
            ti:add(F[key], item_of(tvb, off, m[key]), env[key])
        end
    end
    if env.ttl_ms then
        ti:add(F.ttl_ms, item_of(tvb, off, m.ttl_ms), UInt64.fromhex(sformat("%x", env.ttl_ms)))
    end
    if env.type == "error" and m.payload and m.payload.kind == "object" then
        local pm = m.payload.members
        if env.error_code then
            ti:add(F.error_code, item_of(tvb, off, pm.code), env.error_code)
        end
        if env.error_symbol then
            ti:add(F.error_symbol, item_of(tvb, off, pm.symbol), env.error_symbol)
        end
        if env.error_detail then
            ti:add(F.error_detail, item_of(tvb, off, pm.detail), env.error_detail)
        end
        if env.error_code and env.error_symbol then
            ti:add_proto_expert_info(E.reported, sformat("error envelope reports %d %s%s", env.error_code,
                env.error_symbol, env.error_detail and (": " .. env.error_detail) or ""))
        end
    end

    local vi = ti:add(F.valid, tvb(off, len), r.fault == nil)
    vi:set_generated()
    if r.fault then
        ti:add(F.fault_code, tvb(off, len), r.fault):set_generated()
        ti:add(F.fault_symbol, tvb(off, len), FAULT_VS[r.fault]):set_generated()
        ti:add(F.requirement, tvb(off, len), r.req):set_generated()
        vi:add_proto_expert_info(FAULT_EXPERT[r.fault], sformat("%d %s (%s): %s", r.fault,
            FAULT_VS[r.fault], r.req, r.detail))
    end
    for _, note in ipairs(r.notes) do
        ti:add_proto_expert_info(E[note], NOTE_TEXT[note])
    end

    -- The Info column: one entry per line, "|"-separated.
    local summary
    if env.type then
        summary = env.type .. " " .. (env.from or "?") .. "->" .. (env.to or "*")
        if env.error_code then
            summary = summary .. sformat(" %d %s", env.error_code, env.error_symbol or "?")
        end
        if env.seq then
            summary = summary .. sformat(" seq=%d%s", env.seq, env.eof and " eof" or "")
        end
    else
        summary = "line"
    end
    if r.fault then
        summary = summary .. sformat(" [%d %s %s]", r.fault, FAULT_VS[r.fault], r.req)
    end
    ti:append_text(", " .. summary)

    -- Well-formed JSON is shown by the JSON dissector too, inside this tree.
    if r.root and splinter.prefs.json and json_dissector then
        json_dissector:call(tvb:range(off, len):tvb(), pinfo, ti)
    end
    -- Set after the JSON dissector, which writes the columns as its own.
    local info = pinfo.private[PRIV_INFO]
    info = info and (info .. " | " .. summary) or summary
    pinfo.private[PRIV_INFO] = info
    pinfo.cols.protocol:set("Splinter")
    pinfo.cols.info:set(info)
end

---------------------------------------------------------------------------
-- TCP: every complete line of tvb; a line not yet ended waits for the next
-- segment (Wireshark's TCP reassembly holds it). Bytes of a line that never
-- ends (the connection closes first) are never shown.
---------------------------------------------------------------------------
function splinter.dissector(tvb, pinfo, tree)
    local n = tvb:len()
    local s = tvb:raw(0, n)
    local pos = 1
    while pos <= n do
        local lf = sfind(s, "\n", pos, true)
        if not lf then
            pinfo.desegment_offset = pos - 1
            pinfo.desegment_len = DESEGMENT_ONE_MORE_SEGMENT
            return n
        end
        local len, term = lf - pos, 1
        if len > 0 and sbyte(s, lf - 1) == 13 then
            len, term = len - 1, 2
        end
        dissect_line(tvb, pinfo, tree, pos - 1, len, term)
        pos = lf + 1
    end
    return n
end

---------------------------------------------------------------------------
-- Heuristic (preference, off by default): a segment that starts with a
-- whole line whose judgement reaches stage 2 (a JSON object with well-formed
-- id, ts, from, to and type) makes its conversation Splinter for good.
-- Any JSON object is not enough: {"a":1} is not taken.
---------------------------------------------------------------------------
local function heuristic(tvb, pinfo, tree)
    if not splinter.prefs.heuristic then
        return false
    end
    local n = math.min(tvb:len(), LINE_MAX + 2)
    local s = tvb:raw(0, n)
    local lf = sfind(s, "\n", 1, true)
    if not lf or not sfind(s, "^[ \t\r]*{") then
        return false
    end
    local len = lf - 1
    if len > 0 and sbyte(s, len) == 13 then
        len = len - 1
    end
    local r = judge(s:sub(1, len), nil, nil, false)
    if not r.env.type then
        return false
    end
    pinfo.conversation = splinter
    splinter.dissector(tvb, pinfo, tree)
    return true
end
splinter:register_heuristic("tcp", heuristic)
