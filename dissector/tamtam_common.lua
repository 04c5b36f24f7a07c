-- tamtam_common.lua: helpers shared by the Wireshark dissectors of the TamTam
-- interoperability suite (tamtam.lua, the Core Frame, is the first user; a
-- second protocol's file reuses them). Wireshark 4.0 (Lua 5.2) and newer.
--
-- It lives beside the protocol files in the plugin folder, and Wireshark
-- loads every .lua file there as a plugin, in any order: loading this file
-- as a plugin is harmless. It registers no protocol, field or preference;
-- it builds one table, keeps it in package.loaded.tamtam_common, and a
-- second load (the plugin loader, then a protocol file's tt_common(), or the
-- reverse) returns that same table. A protocol file gets it with:
--
--   local common = package.loaded.tamtam_common or dofile(
--       (debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "") .. "tamtam_common.lua")
--
-- Everything here runs at load time or once per capture, except the
-- per-frame helpers (add_to_columns, dispatch, crc update), which allocate
-- no closures.
local NAME = "tamtam_common"
if type(package.loaded[NAME]) == "table" then
    return package.loaded[NAME]
end

local M = {}
local band, bor, bxor, lshift, rshift = bit.band, bit.bor, bit.bxor, bit.lshift, bit.rshift
local sbyte, sformat = string.byte, string.format

-- pinfo.port_type values (epan/address.h port_type; not exported to Lua).
M.PT_TCP, M.PT_UDP = 2, 3

-- Values of Wireshark's checksum status (proto.h PROTO_CHECKSUM_E_*), as
-- proto_tree_add_checksum reports them.
M.CHECKSUM_BAD, M.CHECKSUM_GOOD, M.CHECKSUM_UNVERIFIED = 0, 1, 2
M.CHECKSUM_VS = { [0] = "Bad", [1] = "Good", [2] = "Unverified" }

---------------------------------------------------------------------------
-- Generated tables: value strings from a generated {[value] = {id, name}}
-- table (the X-macro tables of a protocol's C header, printed as Lua).
---------------------------------------------------------------------------
M.UNASSIGNED = "Unassigned" -- a value the generated table does not name

-- {[lo..hi] = name}, "Unassigned" for a value the table lacks.
function M.value_names(map, lo, hi)
    local vs = {}
    for v = lo, hi do
        vs[v] = map[v] and map[v].name or M.UNASSIGNED
    end
    return vs
end

-- "assigned", "unassigned" or "reserved" (the entry whose id is RESERVED).
function M.value_kind(map, v)
    if not map[v] then
        return "unassigned"
    end
    return map[v].id == "RESERVED" and "reserved" or "assigned"
end

-- The name of v, or "Unassigned(0x5)".
function M.value_label(vs, v)
    if vs[v] == M.UNASSIGNED then
        return sformat("%s(0x%X)", M.UNASSIGNED, v)
    end
    return vs[v]
end

---------------------------------------------------------------------------
-- CRC-8 from catalogue parameters {name, poly, init, refin, refout, xorout,
-- check}: one 256-entry table per variant, checked at load time against the
-- catalogue check value (the CRC of "123456789").
---------------------------------------------------------------------------
local function reflect8(v)
    local r = 0
    for i = 0, 7 do
        if band(v, lshift(1, i)) ~= 0 then
            r = bor(r, lshift(1, 7 - i))
        end
    end
    return r
end
M.reflect8 = reflect8

-- A reflected variant runs its register LSB-first with the reflected
-- polynomial; refout differing from refin reflects the result once more.
function M.make_crc8(p)
    local t = {}
    local rpoly = reflect8(p.poly)
    for i = 0, 255 do
        local c = i
        for _ = 1, 8 do
            if p.refin then
                c = band(c, 1) ~= 0 and bxor(rshift(c, 1), rpoly) or rshift(c, 1)
            else
                c = band(c, 0x80) ~= 0 and band(bxor(lshift(c, 1), p.poly), 0xFF)
                    or band(lshift(c, 1), 0xFF)
            end
        end
        t[i] = c
    end
    local crc = { name = p.name, table = t }
    crc.init = p.refin and reflect8(p.init) or p.init
    function crc.update(reg, s)
        for i = 1, #s do
            reg = t[bxor(reg, sbyte(s, i))]
        end
        return reg
    end
    function crc.final(reg)
        if p.refin ~= p.refout then
            reg = reflect8(reg)
        end
        return bxor(reg, p.xorout)
    end
    return crc
end

-- The engines of a whole catalogue, in its order; a table that disagrees
-- with its check value is a load error naming the variant (who: the file).
function M.crc8_catalogue(catalogue, who)
    local out = {}
    for i, p in ipairs(catalogue) do
        local crc = M.make_crc8(p)
        local got = crc.final(crc.update(crc.init, "123456789"))
        if got ~= p.check then
            error(sformat("%s: CRC-8 table for %s gives 0x%02X over \"123456789\", "
                .. "the catalogue check value is 0x%02X", who, p.name, got, p.check))
        end
        out[i] = crc
    end
    return out
end

---------------------------------------------------------------------------
-- Fields and expert infos, declared once in a list (the order of the
-- glossary) and used through a table of handles made at load time.
---------------------------------------------------------------------------

-- list: { {key, ProtoField}, ... }. Sets proto.fields; returns {key = field}.
function M.fields(proto, list)
    local handles, all = {}, {}
    for i, e in ipairs(list) do
        handles[e[1]] = e[2]
        all[i] = e[2]
    end
    proto.fields = all
    return handles
end

-- list: { {key, abbr, text, group, severity}, ... } with group and severity
-- as names ("PROTOCOL", "ERROR"). Sets proto.experts; returns {key = expert}.
function M.experts(proto, list)
    local handles, all = {}, {}
    for i, e in ipairs(list) do
        local group = expert.group[e[4]] or error("tamtam_common: no expert group " .. tostring(e[4]))
        local severity = expert.severity[e[5]] or error("tamtam_common: no expert severity " .. tostring(e[5]))
        local ex = ProtoExpert.new(e[2], e[3], group, severity)
        handles[e[1]] = ex
        all[i] = ex
    end
    proto.experts = all
    return handles
end

-- The bytes of s as lower-case hex ("0a1b").
function M.hex(s)
    return (s:gsub(".", function(c) return sformat("%02x", sbyte(c)) end))
end

---------------------------------------------------------------------------
-- Columns: every PDU of a packet is listed in the Info column, "|"
-- separated. The count lives in pinfo.private under key (one per
-- protocol), which is fresh for every dissection of a packet.
---------------------------------------------------------------------------
function M.add_to_columns(pinfo, key, protocol, summary)
    local k = tonumber(pinfo.private[key] or "0")
    pinfo.private[key] = tostring(k + 1)
    if k == 0 then
        pinfo.cols.protocol:set(protocol)
        pinfo.cols.info:set(summary)
    else
        pinfo.cols.info:append(" | " .. summary)
    end
end

---------------------------------------------------------------------------
-- Transports
---------------------------------------------------------------------------

-- TCP: PDUs back to back, reassembled across segments by Wireshark.
-- min_header: bytes needed to know a PDU's length; pdu_length(tvb, pinfo,
-- offset) returns it; dissect_pdu(tvb, pinfo, tree) dissects one PDU. Pass
-- functions made once at load time, never closures made per packet.
function M.tcp_pdus(tvb, tree, min_header, pdu_length, dissect_pdu)
    dissect_tcp_pdus(tvb, tree, min_header, pdu_length, dissect_pdu)
    return tvb:len()
end

-- Parses a port range preference ("4774,39090-39110") into {lo, hi} pairs.
function M.parse_ranges(text)
    local out = {}
    for part in text:gmatch("[^,%s]+") do
        local lo, hi = part:match("^(%d+)%-(%d+)$")
        lo = tonumber(lo or part)
        if lo then
            out[#out + 1] = { lo, tonumber(hi) or lo }
        end
    end
    return out
end

function M.in_ranges(ranges, port)
    for _, r in ipairs(ranges) do
        if port >= r[1] and port <= r[2] then
            return true
        end
    end
    return false
end

-- Port preferences bound to tcp.port and udp.port (and Decode As on both).
-- ports:update(tcp_text, udp_text) from the protocol's prefs_changed moves
-- the registrations; ports.ranges.udp / .tcp hold the parsed ranges.
local Ports = {}
Ports.__index = Ports

function M.ports(proto)
    local p = setmetatable({
        proto = proto,
        tables = { tcp = DissectorTable.get("tcp.port"), udp = DissectorTable.get("udp.port") },
        registered = { tcp = "", udp = "" },
        ranges = { tcp = {}, udp = {} },
    }, Ports)
    p.tables.tcp:add_for_decode_as(proto)
    p.tables.udp:add_for_decode_as(proto)
    return p
end

function Ports:update(tcp_text, udp_text)
    local want = { tcp = tostring(tcp_text), udp = tostring(udp_text) }
    for _, transport in ipairs({ "tcp", "udp" }) do
        local dt = self.tables[transport]
        if want[transport] ~= self.registered[transport] then
            if self.registered[transport] ~= "" then
                dt:remove(self.registered[transport], self.proto)
            end
            if want[transport] ~= "" then
                dt:add(want[transport], self.proto)
            end
            self.registered[transport] = want[transport]
        end
        self.ranges[transport] = M.parse_ranges(self.registered[transport])
    end
end

-- A conversation's key, the same in both directions.
function M.conversation_key(pinfo)
    local a = tostring(pinfo.src) .. "|" .. pinfo.src_port
    local b = tostring(pinfo.dst) .. "|" .. pinfo.dst_port
    if a > b then
        a, b = b, a
    end
    return pinfo.port_type .. "|" .. a .. "|" .. b
end

---------------------------------------------------------------------------
-- Layers: a protocol hands its payload to the layer above through a
-- DissectorTable, and the layer above registers itself there:
--   DissectorTable.get("tamtam.channel"):add(0xAB, my_proto)
---------------------------------------------------------------------------

-- A table keyed by an unsigned integer (ftype: ftypes.UINT8, UINT16, ...).
function M.layer_table(name, ui_name, ftype, proto)
    return DissectorTable.new(name, ui_name, ftype, base.DEC, proto)
end

-- Calls the dissector registered for key on the length bytes of tvb at
-- offset (a new tvb, made only then) and returns true; returns false and
-- adds nothing when none is (unlike DissectorTable:try, which falls back to
-- the data dissector).
function M.dispatch(dt, key, tvb, offset, length, pinfo, tree)
    local d = dt:get_dissector(key)
    if not d then
        return false
    end
    d:call(tvb:range(offset, length):tvb(), pinfo, tree)
    return true
end

---------------------------------------------------------------------------
-- JSON (RFC 8259, strict), for protocols whose PDUs are JSON text: Wireshark's
-- Lua has no JSON library, and its JSON dissector only shows a tree. A
-- recursive-descent reader over a Lua string; nesting is bounded by
-- max_depth, so recursion is too.
--
-- M.json_read(s, max_depth) returns root, nil, nil, dup on success, or
-- nil, message, position on the first error (positions are 1-based byte
-- offsets in s). A node is {kind, first, last, value, ...}: kind is
-- "object", "array", "string", "number", "true", "false" or "null"; first
-- and last are the node's first and last byte in s; value is the unescaped
-- UTF-8 text of a string, or the token text of a number (read it exactly:
-- M.json_uint). An object has names (member names in order) and members
-- (name -> node, the last of duplicates); an array has items. dup is the
-- first member name met twice in one object (any depth), or nil. An escaped
-- lone surrogate is an error; escaped NUL (\u0000) is accepted and decoded.
---------------------------------------------------------------------------
local sfind, ssub, schar = string.find, string.sub, string.char

local ESCAPES = { [34] = "\"", [92] = "\\", [47] = "/", [98] = "\b", [102] = "\f",
                  [110] = "\n", [114] = "\r", [116] = "\t" }

local function utf8_char(cp)
    if cp < 0x80 then
        return schar(cp)
    elseif cp < 0x800 then
        return schar(0xC0 + math.floor(cp / 0x40), 0x80 + cp % 0x40)
    elseif cp < 0x10000 then
        return schar(0xE0 + math.floor(cp / 0x1000), 0x80 + math.floor(cp / 0x40) % 0x40, 0x80 + cp % 0x40)
    end
    return schar(0xF0 + math.floor(cp / 0x40000), 0x80 + math.floor(cp / 0x1000) % 0x40,
        0x80 + math.floor(cp / 0x40) % 0x40, 0x80 + cp % 0x40)
end

-- The index after the number token at i, or nil (JSON grammar; a number
-- followed by more number text is not one: "01", "1.2.3", "1e5e").
local function json_number_end(s, i)
    local j = i
    if sbyte(s, j) == 45 then j = j + 1 end
    local c = sbyte(s, j)
    if c == 48 then
        j = j + 1
    elseif c and c >= 49 and c <= 57 then
        j = select(2, sfind(s, "^%d+", j)) + 1
    else
        return nil
    end
    if sbyte(s, j) == 46 then
        local _, e = sfind(s, "^%d+", j + 1)
        if not e then return nil end
        j = e + 1
    end
    c = sbyte(s, j)
    if c == 101 or c == 69 then
        j = j + 1
        c = sbyte(s, j)
        if c == 43 or c == 45 then j = j + 1 end
        local _, e = sfind(s, "^%d+", j)
        if not e then return nil end
        j = e + 1
    end
    c = sbyte(s, j)
    if c and ((c >= 48 and c <= 57) or c == 46 or c == 101 or c == 69 or c == 43 or c == 45) then
        return nil
    end
    return j
end
M.json_number_end = json_number_end

local function skip_ws(s, i)
    return select(2, sfind(s, "^[ \t\r\n]*", i)) + 1
end

-- A string at i (its opening quote): the node, or nil, message, position.
local function json_string(s, i)
    local parts, j = {}, i + 1
    while true do
        local k = sfind(s, "[\"\\\0-\31]", j)
        if not k then
            return nil, "string without closing quote", i
        end
        parts[#parts + 1] = ssub(s, j, k - 1)
        local c = sbyte(s, k)
        if c == 34 then
            return { kind = "string", first = i, last = k, value = table.concat(parts) }
        elseif c ~= 92 then
            return nil, sformat("control character 0x%02x in a string", c), k
        end
        local e = sbyte(s, k + 1)
        if ESCAPES[e] then
            parts[#parts + 1] = ESCAPES[e]
            j = k + 2
        elseif e == 117 then
            local hex = ssub(s, k + 2, k + 5)
            if not hex:find("^%x%x%x%x$") then
                return nil, "bad \\u escape", k
            end
            local cp = tonumber(hex, 16)
            j = k + 6
            if cp >= 0xDC00 and cp <= 0xDFFF then
                return nil, "lone escaped low surrogate", k
            elseif cp >= 0xD800 and cp <= 0xDBFF then
                local lo = ssub(s, j, j + 5)
                if not lo:find("^\\u[dD][c-fC-F]%x%x$") then
                    return nil, "escaped high surrogate without its low surrogate", k
                end
                cp = 0x10000 + (cp - 0xD800) * 0x400 + (tonumber(lo:sub(3), 16) - 0xDC00)
                j = j + 6
            end
            parts[#parts + 1] = utf8_char(cp)
        else
            return nil, "bad escape in a string", k
        end
    end
end

local json_value

local function json_object(s, i, depth, max_depth, state)
    local node = { kind = "object", first = i, names = {}, members = {} }
    local j = skip_ws(s, i + 1)
    if sbyte(s, j) == 125 then
        node.last = j
        return node
    end
    while true do
        if sbyte(s, j) ~= 34 then
            return nil, "member name expected", j
        end
        local name, err, pos = json_string(s, j)
        if not name then return nil, err, pos end
        j = skip_ws(s, name.last + 1)
        if sbyte(s, j) ~= 58 then
            return nil, "':' expected", j
        end
        local v
        v, err, pos = json_value(s, skip_ws(s, j + 1), depth + 1, max_depth, state)
        if not v then return nil, err, pos end
        local key = name.value
        if node.members[key] then
            state.dup = state.dup or key
        else
            node.names[#node.names + 1] = key
        end
        v.name_first, v.name_last = name.first, name.last
        node.members[key] = v
        j = skip_ws(s, v.last + 1)
        local c = sbyte(s, j)
        if c == 125 then
            node.last = j
            return node
        elseif c ~= 44 then
            return nil, "',' or '}' expected", j
        end
        j = skip_ws(s, j + 1)
    end
end

local function json_array(s, i, depth, max_depth, state)
    local node = { kind = "array", first = i, items = {} }
    local j = skip_ws(s, i + 1)
    if sbyte(s, j) == 93 then
        node.last = j
        return node
    end
    while true do
        local v, err, pos = json_value(s, j, depth + 1, max_depth, state)
        if not v then return nil, err, pos end
        node.items[#node.items + 1] = v
        j = skip_ws(s, v.last + 1)
        local c = sbyte(s, j)
        if c == 93 then
            node.last = j
            return node
        elseif c ~= 44 then
            return nil, "',' or ']' expected", j
        end
        j = skip_ws(s, j + 1)
    end
end

local LITERALS = { ["true"] = true, ["false"] = true, ["null"] = true }

json_value = function(s, i, depth, max_depth, state)
    local c = sbyte(s, i)
    if c == 123 or c == 91 then
        if depth > max_depth then
            return nil, sformat("nesting deeper than %d", max_depth), i
        end
        return (c == 123 and json_object or json_array)(s, i, depth, max_depth, state)
    elseif c == 34 then
        return json_string(s, i)
    elseif c == 45 or (c and c >= 48 and c <= 57) then
        local e = json_number_end(s, i)
        if not e then return nil, "malformed number", i end
        return { kind = "number", first = i, last = e - 1, value = ssub(s, i, e - 1) }
    end
    local word = s:match("^%a+", i)
    if word and LITERALS[word] then
        return { kind = word, first = i, last = i + #word - 1 }
    end
    return nil, c and sformat("unexpected byte 0x%02x", c) or "unexpected end of text", i
end

function M.json_read(s, max_depth)
    local state = {}
    local root, err, pos = json_value(s, skip_ws(s, 1), 1, max_depth or 64, state)
    if not root then
        return nil, err, pos
    end
    local after = skip_ws(s, root.last + 1)
    if after <= #s then
        return nil, "text after the JSON value", after
    end
    return root, nil, nil, state.dup
end

-- The value of a number node written as plain digits (no sign, fraction or
-- exponent), when it is at most max_text (the largest value, as digits);
-- nil otherwise. Compared as text, never through a float, then converted
-- (exact up to 2^53).
function M.json_uint(node, max_text)
    if not node or node.kind ~= "number" or not node.value:find("^%d+$") then
        return nil
    end
    local v = node.value
    if #v > #max_text or (#v == #max_text and v > max_text) then
        return nil
    end
    return tonumber(v)
end

package.loaded[NAME] = M
return M
