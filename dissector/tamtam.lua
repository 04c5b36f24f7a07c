-- tamtam.lua: Wireshark dissector for the TamTam Core Frame v1.0
-- (spec/core-frame.md of the TamTam interoperability suite).
--
-- Two files: this one and tamtam_common.lua (helpers shared with the suite's
-- other protocol files), side by side in the personal plugin folder (see
-- dissector/README.md).
-- Runs on Wireshark 4.0 (Lua 5.2) and newer: it uses only Lua API present in
-- 4.0 and the `bit` library for bit operations.
--
-- TCP: frames back to back, reassembled across segments with
-- dissect_tcp_pdus (a frame's length is known from its first two bytes).
-- UDP: one frame per datagram. Default port 4774 on both; ports, CRC-8
-- variant and the heuristic are preferences (Edit > Preferences > Protocols
-- > TAMTAM, or tshark -o tamtam.NAME:VALUE).
--
-- Layers above: the payload of every valid frame goes to the dissector
-- registered for its ChannelId in the table "tamtam.channel":
--   DissectorTable.get("tamtam.channel"):add(0xAB, my_proto)
-- With none registered, the payload is shown as bytes (tamtam.payload) only.

-- BEGIN GENERATED TABLES (dissector/src/lua_tables_gen.c from reference/include/tamtam/tamtam.h).
-- Do not edit: change tamtam.h, then run `cmake --build BUILD --target dissector-regen`.
local TT_VERSION = "1.0.0"
-- X(value, ID, name) of TT_CLASS_MAP
local TT_CLASS = {
    [0x0] = { id = "SYSTEM", name = "System" },
    [0x1] = { id = "CONTROL", name = "Control" },
    [0x2] = { id = "DATA", name = "Data" },
    [0x3] = { id = "EVENT", name = "Event" },
    [0x4] = { id = "RESPONSE", name = "Response" },
    [0xF] = { id = "RESERVED", name = "Reserved" },
}
-- X(value, ID, name) of TT_DIRECTION_MAP
local TT_DIRECTION = {
    [0x0] = { id = "REQUEST", name = "Request" },
    [0x1] = { id = "REPLY", name = "Reply" },
    [0x2] = { id = "BROADCAST", name = "Broadcast" },
    [0x3] = { id = "SIGNAL", name = "Signal" },
    [0xF] = { id = "RESERVED", name = "Reserved" },
}
-- X(ID, name, poly, init, refin, refout, xorout, check) of TT_CRC_MAP, in enum order
local TT_CRC = {
    { id = "SMBUS", name = "CRC-8/SMBUS", poly = 0x07, init = 0x00, refin = false, refout = false, xorout = 0x00, check = 0xF4 },
    { id = "MAXIM_DOW", name = "CRC-8/MAXIM-DOW", poly = 0x31, init = 0x00, refin = true, refout = true, xorout = 0x00, check = 0xA1 },
    { id = "I_432_1", name = "CRC-8/I-432-1", poly = 0x07, init = 0x00, refin = false, refout = false, xorout = 0x55, check = 0xA1 },
    { id = "AUTOSAR", name = "CRC-8/AUTOSAR", poly = 0x2F, init = 0xFF, refin = false, refout = false, xorout = 0xFF, check = 0xDF },
    { id = "SAE_J1850", name = "CRC-8/SAE-J1850", poly = 0x1D, init = 0xFF, refin = false, refout = false, xorout = 0xFF, check = 0x4B },
    { id = "ROHC", name = "CRC-8/ROHC", poly = 0x07, init = 0xFF, refin = true, refout = true, xorout = 0x00, check = 0xD0 },
    { id = "CDMA2000", name = "CRC-8/CDMA2000", poly = 0x9B, init = 0xFF, refin = false, refout = false, xorout = 0x00, check = 0xDA },
    { id = "BLUETOOTH", name = "CRC-8/BLUETOOTH", poly = 0xA7, init = 0x00, refin = true, refout = true, xorout = 0x00, check = 0x26 },
}
local TT_CRC_DEFAULT = 1 -- index into TT_CRC
-- X(ID, value, name, desc) of TT_ERROR_MAP
local TT_ERROR = {
    TRUNCATED = { name = "truncated", desc = "fewer bytes than the frame needs" },
    USED_LEN_EXCEEDS_BLOCK = { name = "used_len_exceeds_block", desc = "UsedLen is larger than the payload block" },
    CRC_MISMATCH = { name = "crc_mismatch", desc = "integrity byte does not match the computed CRC-8" },
    INVALID_ARGUMENT = { name = "invalid_argument", desc = "a field is out of range or an argument is NULL" },
    NO_SPACE = { name = "no_space", desc = "the output buffer is too small" },
}
-- END GENERATED TABLES

-- The shared helpers: already loaded (as a plugin, or by another protocol
-- file), else from the folder this file was loaded from.
local common = package.loaded.tamtam_common
if not common then
    local dir = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or ""
    local ok, m = pcall(dofile, dir .. "tamtam_common.lua")
    common = ok and (m or package.loaded.tamtam_common) or nil
    if not common then
        error("tamtam.lua needs tamtam_common.lua in the same folder (" .. dir .. "): "
            .. tostring(m))
    end
end

local band, rshift = bit.band, bit.rshift
local sformat = string.format

set_plugin_info({
    version = TT_VERSION,
    description = "TamTam Core Frame v1.0 dissector",
    repository = "dissector/ of the TamTam interoperability suite",
})

-- The pinned error names (CF-12.2-a). Indexing a missing entry fails at load
-- time, so a renamed error in tamtam.h cannot go unnoticed.
local ERR_TRUNCATED = TT_ERROR.TRUNCATED.name
local ERR_USED_LEN = TT_ERROR.USED_LEN_EXCEEDS_BLOCK.name
local ERR_CRC = TT_ERROR.CRC_MISMATCH.name
local STATUS_OK = "ok" -- the analyzer's word for a valid frame
local STATUS_ORDER = { STATUS_OK, ERR_TRUNCATED, ERR_USED_LEN, ERR_CRC }

-- CRC-8: one 256-entry table per variant, computed at load time from the
-- catalogue parameters and checked against the catalogue check value.
local CRC = common.crc8_catalogue(TT_CRC, "tamtam.lua")

-- CRC-8 of the frame at pos whose integrity byte is crc_off bytes in
-- (CF-5.2-a): the bytes before the integrity byte, then UsedLen and the
-- payload; never the padding.
local function frame_crc(crc, tvb, pos, crc_off, used_len)
    local reg = crc.update(crc.init, tvb:raw(pos, crc_off))
    return crc.final(crc.update(reg, tvb:raw(pos + crc_off + 1, 2 + used_len)))
end

---------------------------------------------------------------------------
-- Layout (CF-2, CF-3, CF-7)
---------------------------------------------------------------------------
local BLOCK = { [0] = 0, 16, 32, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096 }
local FLAG_BIG, FLAG_ACK, FLAG_PRIORITY, FLAG_EXT = 0x01, 0x02, 0x04, 0x08

-- Frame length from header byte 1 (CF-2-b): 3 + 2*HasExt + 1 + 2 + BlockSize.
local function frame_length(b1)
    local block = BLOCK[rshift(b1, 4)]
    if band(b1, FLAG_BIG) ~= 0 then
        block = block * 2
    end
    return 6 + (band(b1, FLAG_EXT) ~= 0 and 2 or 0) + block, block
end

local UNASSIGNED = common.UNASSIGNED
local CLASS_VS = common.value_names(TT_CLASS, 0, 15)
local DIRECTION_VS = common.value_names(TT_DIRECTION, 0, 15)
local nibble_kind, nibble_label = common.value_kind, common.value_label

---------------------------------------------------------------------------
-- Protocol, fields, expert info
---------------------------------------------------------------------------
local tamtam = Proto("tamtam", "TamTam Core Frame")

local CHECKSUM_BAD, CHECKSUM_GOOD, CHECKSUM_UNVERIFIED =
    common.CHECKSUM_BAD, common.CHECKSUM_GOOD, common.CHECKSUM_UNVERIFIED
local CHECKSUM_VS = common.CHECKSUM_VS

local F = common.fields(tamtam, {
    { "class", ProtoField.uint8("tamtam.class", "Class", base.HEX, CLASS_VS, 0xF0) },
    { "direction", ProtoField.uint8("tamtam.direction", "Direction", base.HEX, DIRECTION_VS, 0x0F) },
    { "size_id", ProtoField.uint8("tamtam.size_id", "SizeId", base.HEX, nil, 0xF0) },
    { "flags", ProtoField.uint8("tamtam.flags", "Flags", base.HEX, nil, 0x0F) },
    { "big", ProtoField.bool("tamtam.big", "BigMode", 8, { "Set (block doubled)", "Not set" }, FLAG_BIG) },
    { "ack", ProtoField.bool("tamtam.ack", "AckRequested", 8, nil, FLAG_ACK) },
    { "priority", ProtoField.bool("tamtam.priority", "Priority", 8, nil, FLAG_PRIORITY) },
    { "has_ext", ProtoField.bool("tamtam.has_ext", "HasExt", 8, { "Set (roaming frame)", "Not set (local frame)" },
        FLAG_EXT) },
    { "block_size", ProtoField.uint16("tamtam.block_size", "Block size", base.DEC) },
    { "frame_length", ProtoField.uint16("tamtam.frame_length", "Frame length", base.DEC) },
    { "channel", ProtoField.uint8("tamtam.channel", "ChannelId", base.DEC) },
    { "dest", ProtoField.uint16("tamtam.dest", "DestOrchestratorId", base.DEC_HEX) },
    { "crc", ProtoField.uint8("tamtam.crc", "Integrity (CRC-8)", base.HEX) },
    { "crc_status", ProtoField.uint8("tamtam.crc.status", "CRC-8 status", base.DEC, CHECKSUM_VS) },
    { "crc_computed", ProtoField.uint8("tamtam.crc.computed", "Computed CRC-8", base.HEX) },
    { "used_len", ProtoField.uint16("tamtam.used_len", "UsedLen", base.DEC) },
    { "payload", ProtoField.bytes("tamtam.payload", "Payload") },
    { "padding", ProtoField.bytes("tamtam.padding", "Padding") },
    { "status", ProtoField.string("tamtam.status", "Status") },
    { "trailing", ProtoField.bytes("tamtam.trailing", "Bytes after the frame") },
})

-- Invalid frames are protocol errors, not expert group MALFORMED: that group
-- also marks the packet _ws.malformed, which is kept for dissector failures.
local E = common.experts(tamtam, {
    { "truncated", "tamtam.truncated", ERR_TRUNCATED, "PROTOCOL", "ERROR" },
    { "used_len", "tamtam.used_len_exceeds_block", ERR_USED_LEN, "PROTOCOL", "ERROR" },
    { "crc", "tamtam.crc_mismatch", ERR_CRC, "CHECKSUM", "ERROR" },
    { "padding", "tamtam.padding_nonzero", "Padding is not zero", "PROTOCOL", "NOTE" },
    { "class", "tamtam.class_not_assigned", "Class is unassigned or reserved", "PROTOCOL", "NOTE" },
    { "direction", "tamtam.direction_not_assigned", "Direction is unassigned or reserved", "PROTOCOL", "NOTE" },
    { "trailing", "tamtam.trailing_bytes", "Bytes after the frame", "PROTOCOL", "WARN" },
})

---------------------------------------------------------------------------
-- Preferences
---------------------------------------------------------------------------
local DEFAULT_PORTS = "4774"
local CRC_ENUM = {}
for i, p in ipairs(TT_CRC) do
    -- {name, description, value}. Wireshark shows and stores the
    -- description, so that is the catalogue name ("CRC-8/ROHC"); -o accepts
    -- either string, case-insensitively: with or without "CRC-8/", as the
    -- suite's --crc does.
    CRC_ENUM[i] = { (p.name:gsub("^CRC%-8/", "")), p.name, i }
end

tamtam.prefs.tcp_ports = Pref.range("TCP ports", DEFAULT_PORTS, "TCP ports decoded as TamTam", 65535)
tamtam.prefs.udp_ports = Pref.range("UDP ports", DEFAULT_PORTS, "UDP ports decoded as TamTam", 65535)
tamtam.prefs.crc_variant = Pref.enum("CRC-8 variant", TT_CRC_DEFAULT,
    "CRC-8 variant of the integrity byte (spec CF-12.1; default CRC-8/SMBUS)", CRC_ENUM, false)
tamtam.prefs.heuristic = Pref.bool("Try heuristic on other TCP/UDP ports", false,
    "Look for TamTam on every TCP and UDP port; a conversation is taken as TamTam after "
        .. "the minimum number of consecutive valid frames (all-zero frames do not count)")
tamtam.prefs.heuristic_min_frames = Pref.uint("Heuristic: minimum valid frames", 3,
    "Valid, non-zero frames a conversation must show before the heuristic accepts it")

local function current_crc()
    return CRC[tamtam.prefs.crc_variant] or CRC[TT_CRC_DEFAULT]
end

---------------------------------------------------------------------------
-- Columns: every frame of a packet is listed in the Info column. The count
-- lives in pinfo.private, which is fresh for every dissection of a packet.
---------------------------------------------------------------------------
local PRIV_FRAMES = "tamtam_frames"
local add_to_columns = common.add_to_columns

---------------------------------------------------------------------------
-- Layers above: ChannelId -> dissector of the payload (of a valid frame).
---------------------------------------------------------------------------
local channel_table = common.layer_table("tamtam.channel", "TamTam ChannelId", ftypes.UINT8, tamtam)
local dispatch = common.dispatch

---------------------------------------------------------------------------
-- One frame
---------------------------------------------------------------------------

-- Dissects the frame at the start of tvb, checking in the pinned order
-- (CF-12.2-b). tvb may be shorter than the frame (truncated) or longer
-- (the caller handles what follows). Returns the bytes the frame occupies
-- in tvb and its status ("ok" or an error name).
local function dissect_frame(tvb, pinfo, tree)
    local n = tvb:len()
    local flen, block, b1, ext
    if n >= 2 then
        b1 = tvb(1, 1):uint()
        flen, block = frame_length(b1)
        ext = band(b1, FLAG_EXT) ~= 0
    end
    local occupied = flen and math.min(n, flen) or n
    local ti = tree:add(tamtam, tvb(0, occupied))
    local summary, flag_text = {}, nil

    local cls, dir, channel
    if n >= 1 then
        local b0 = tvb(0, 1):uint()
        cls, dir = rshift(b0, 4), band(b0, 0x0F)
        local ci = ti:add(F.class, tvb(0, 1))
        local kind = nibble_kind(TT_CLASS, cls)
        if kind ~= "assigned" then
            ci:add_proto_expert_info(E.class, sformat("Class 0x%X is %s in v1.0 (CF-3.1-b)", cls, kind))
        end
        local di = ti:add(F.direction, tvb(0, 1))
        kind = nibble_kind(TT_DIRECTION, dir)
        if kind ~= "assigned" then
            di:add_proto_expert_info(E.direction, sformat("Direction 0x%X is %s in v1.0 (CF-3.1-c)", dir, kind))
        end
        summary[#summary + 1] = nibble_label(CLASS_VS, cls) .. "/" .. nibble_label(DIRECTION_VS, dir)
    end

    local crc_off = ext and 5 or 3
    local fixed = crc_off + 3 -- header + extension + integrity + UsedLen
    if n >= 2 then
        ti:add(F.size_id, tvb(1, 1))
        local fi = ti:add(F.flags, tvb(1, 1))
        fi:add(F.big, tvb(1, 1))
        fi:add(F.ack, tvb(1, 1))
        fi:add(F.priority, tvb(1, 1))
        fi:add(F.has_ext, tvb(1, 1))
        local names = {}
        if band(b1, FLAG_BIG) ~= 0 then names[#names + 1] = "BIG" end
        if band(b1, FLAG_ACK) ~= 0 then names[#names + 1] = "ACK" end
        if band(b1, FLAG_PRIORITY) ~= 0 then names[#names + 1] = "PRIO" end
        if ext then names[#names + 1] = "EXT" end
        if #names > 0 then
            fi:append_text(" (" .. table.concat(names, ", ") .. ")")
        end
        ti:add(F.block_size, block):set_generated()
        ti:add(F.frame_length, flen):set_generated()
        if n >= 3 then
            channel = tvb(2, 1):uint()
            ti:add(F.channel, tvb(2, 1))
            summary[#summary + 1] = "ch=" .. channel
        end
        if ext and n >= 5 then
            ti:add(F.dest, tvb(3, 2))
            summary[#summary + 1] = sformat("dest=%d", tvb(3, 2):uint())
        end
        if #names > 0 then
            flag_text = "[" .. table.concat(names, " ") .. "]"
        end
    end

    local crc_item, used_len
    if n >= crc_off + 1 then
        crc_item = ti:add(F.crc, tvb(crc_off, 1))
    end
    if n >= fixed then
        used_len = tvb(crc_off + 1, 2):uint()
        summary[#summary + 1] = sformat("len=%d/%d", used_len, block)
    end
    summary[#summary + 1] = flag_text

    local status
    if n < 2 then
        status = ERR_TRUNCATED
        ti:add_proto_expert_info(E.truncated, sformat(
            "%s: %d byte(s); at least 2 are needed to know the frame length", ERR_TRUNCATED, n))
    elseif n < fixed then
        status = ERR_TRUNCATED
        ti:add_proto_expert_info(E.truncated, sformat(
            "%s: %d byte(s); header, %sintegrity byte and UsedLen need %d",
            ERR_TRUNCATED, n, ext and "extension, " or "", fixed))
    end

    local used_item
    if used_len then
        used_item = ti:add(F.used_len, tvb(crc_off + 1, 2))
        if used_len > block then
            status = ERR_USED_LEN
            used_item:add_proto_expert_info(E.used_len, sformat(
                "%s: UsedLen %d is larger than the %d-byte block", ERR_USED_LEN, used_len, block))
        elseif n < flen then
            status = ERR_TRUNCATED
            ti:add_proto_expert_info(E.truncated, sformat(
                "%s: %d of the frame's %d bytes present", ERR_TRUNCATED, n, flen))
        end
    end

    if crc_item then
        local crc_status = CHECKSUM_UNVERIFIED
        local carried = tvb(crc_off, 1):uint()
        if not status then
            local crc = current_crc()
            local computed = frame_crc(crc, tvb, 0, crc_off, used_len)
            crc_item:add(F.crc_computed, computed):set_generated()
            if computed == carried then
                crc_status = CHECKSUM_GOOD
                crc_item:append_text(" [correct]")
                status = STATUS_OK
            else
                crc_status = CHECKSUM_BAD
                status = ERR_CRC
                crc_item:append_text(sformat(" incorrect, should be 0x%02x", computed))
                crc_item:add_proto_expert_info(E.crc, sformat(
                    "%s: integrity byte 0x%02X, %s computes 0x%02X", ERR_CRC, carried, crc.name, computed))
            end
        end
        crc_item:add(F.crc_status, crc_status):set_generated()
    end

    -- The block, once UsedLen is known to fit and every byte is here.
    if status == STATUS_OK or status == ERR_CRC then
        if used_len > 0 then
            ti:add(F.payload, tvb(fixed, used_len))
        end
        local pad = block - used_len
        if pad > 0 then
            local pi = ti:add(F.padding, tvb(fixed + used_len, pad))
            if tvb:raw(fixed + used_len, pad):find("[^\0]") then
                pi:add_proto_expert_info(E.padding,
                    "Padding is not zero (senders write zeros, receivers ignore it: CF-8-b)")
            end
        end
    end

    ti:add(F.status, status):set_generated()
    if status ~= STATUS_OK then
        summary[#summary + 1] = status
    end
    local text = table.concat(summary, " ")
    ti:append_text(", " .. text)
    add_to_columns(pinfo, PRIV_FRAMES, "TamTam", text)
    if status == STATUS_OK then
        dispatch(channel_table, channel, tvb, fixed, used_len, pinfo, tree)
    end
    return occupied, status
end

---------------------------------------------------------------------------
-- Transports
---------------------------------------------------------------------------
local PT_TCP, PT_UDP = common.PT_TCP, common.PT_UDP

local function pdu_length(tvb, pinfo, offset)
    return (frame_length(tvb(offset + 1, 1):uint()))
end

local function dissect_pdu(tvb, pinfo, tree)
    dissect_frame(tvb, pinfo, tree)
    return tvb:len()
end

-- One frame per datagram; bytes after it are reported, not decoded.
local function dissect_datagram(tvb, pinfo, tree)
    local used = dissect_frame(tvb, pinfo, tree)
    local n = tvb:len()
    if used < n then
        local item = tree:add(F.trailing, tvb(used, n - used))
        item:add_proto_expert_info(E.trailing, sformat(
            "%d byte(s) after the frame; a UDP datagram carries one frame", n - used))
    end
    return n
end

function tamtam.dissector(tvb, pinfo, tree)
    if pinfo.port_type == PT_TCP then
        return common.tcp_pdus(tvb, tree, 2, pdu_length, dissect_pdu)
    end
    return dissect_datagram(tvb, pinfo, tree)
end

local ports = common.ports(tamtam)
local in_ranges = common.in_ranges
local function register_ports()
    ports:update(tamtam.prefs.tcp_ports, tamtam.prefs.udp_ports)
end
register_ports()

-- Wireshark's UDP dissector hands an empty payload to no subdissector, yet an
-- empty datagram on a TamTam port is a frame too: a truncated one
-- (CF-12.2-b). A postdissector reports it; the field extractor gives the
-- innermost UDP header, whose payload starts 4 bytes after its length field.
local empty_udp = Proto("tamtam_empty_udp", "TamTam empty UDP datagram")
local fx_udp_length = Field.new("udp.length")
function empty_udp.dissector(tvb, pinfo, tree)
    if pinfo.port_type ~= PT_UDP then
        return
    end
    local lengths = { fx_udp_length() }
    local udp_len = lengths[#lengths]
    if udp_len and udp_len.value == 8
        and (in_ranges(ports.ranges.udp, pinfo.dst_port) or in_ranges(ports.ranges.udp, pinfo.src_port)) then
        dissect_frame(tvb:range(udp_len.offset + 4, 0):tvb(), pinfo, tree)
    end
end
register_postdissector(empty_udp)

---------------------------------------------------------------------------
-- Heuristic (preference, off by default). A buffer counts as evidence only
-- when it starts with complete frames back to back, every one valid under
-- the selected CRC-8; frames whose bytes are all zero count for nothing
-- (CF-12.1-c: six zero bytes are a valid frame under CRC-8/SMBUS). A
-- conversation is accepted once its evidence reaches the minimum, and then
-- handed to the regular dissector for good.
---------------------------------------------------------------------------
local evidence = {}

-- Returns the number of valid non-zero frames at the start of tvb, and
-- whether tvb held whole frames only; nil when a complete frame is invalid.
local function scan_frames(tvb)
    local n, pos, count = tvb:len(), 0, 0
    local crc = current_crc()
    while pos + 2 <= n do
        local b1 = tvb(pos + 1, 1):uint()
        local flen, block = frame_length(b1)
        if pos + flen > n then
            break
        end
        local crc_off = band(b1, FLAG_EXT) ~= 0 and 5 or 3
        local used_len = tvb(pos + crc_off + 1, 2):uint()
        if used_len > block
            or frame_crc(crc, tvb, pos, crc_off, used_len) ~= tvb(pos + crc_off, 1):uint() then
            return nil
        end
        if tvb:raw(pos, flen):find("[^\0]") then
            count = count + 1
        end
        pos = pos + flen
    end
    return count, pos == n
end

local conversation_key = common.conversation_key

local function heuristic(tvb, pinfo, tree, datagram)
    if not tamtam.prefs.heuristic or tvb:len() < 2 then
        return false
    end
    local count, whole = scan_frames(tvb)
    -- A datagram must be exactly one frame; a segment must start one.
    if not count or (datagram and not whole) or count == 0 then
        return false
    end
    local need = math.max(1, tamtam.prefs.heuristic_min_frames)
    if count < need then
        local key = conversation_key(pinfo)
        if not pinfo.visited then
            evidence[key] = (evidence[key] or 0) + count
        end
        if (evidence[key] or 0) < need then
            return false
        end
    end
    pinfo.conversation = tamtam
    tamtam.dissector(tvb, pinfo, tree)
    return true
end

tamtam:register_heuristic("tcp", function(tvb, pinfo, tree)
    return heuristic(tvb, pinfo, tree, false)
end)
tamtam:register_heuristic("udp", function(tvb, pinfo, tree)
    return heuristic(tvb, pinfo, tree, true)
end)

function tamtam.init()
    evidence = {}
end

function tamtam.prefs_changed()
    register_ports()
end

---------------------------------------------------------------------------
-- Statistics: frames by status, class and channel. tshark: -z tamtam,stat
-- (optionally -z tamtam,stat,FILTER); Wireshark: Statistics > TamTam.
---------------------------------------------------------------------------
local fx_status = Field.new("tamtam.status")
local fx_class = Field.new("tamtam.class")
local fx_channel = Field.new("tamtam.channel")

local function new_counts()
    return { frames = 0, status = {}, class = {}, channel = {} }
end

local function count_packet(c)
    local statuses = { fx_status() }
    c.frames = c.frames + #statuses
    for _, fi in ipairs(statuses) do
        c.status[fi.value] = (c.status[fi.value] or 0) + 1
    end
    for _, fi in ipairs({ fx_class() }) do
        c.class[fi.value] = (c.class[fi.value] or 0) + 1
    end
    for _, fi in ipairs({ fx_channel() }) do
        c.channel[fi.value] = (c.channel[fi.value] or 0) + 1
    end
end

local function sorted_keys(t)
    local keys = {}
    for k in pairs(t) do
        keys[#keys + 1] = k
    end
    table.sort(keys)
    return keys
end

local function report(c)
    local out = {}
    local rule = string.rep("=", 64)
    out[#out + 1] = rule
    out[#out + 1] = "TamTam frame statistics (" .. current_crc().name .. ")"
    out[#out + 1] = sformat("%-40s %10d", "Frames", c.frames)
    out[#out + 1] = "By status:"
    for _, s in ipairs(STATUS_ORDER) do
        out[#out + 1] = sformat("  %-38s %10d", s, c.status[s] or 0)
    end
    out[#out + 1] = "By class:"
    for _, v in ipairs(sorted_keys(c.class)) do
        out[#out + 1] = sformat("  %-38s %10d", sformat("%s (0x%X)", CLASS_VS[v], v), c.class[v])
    end
    out[#out + 1] = "By channel:"
    for _, v in ipairs(sorted_keys(c.channel)) do
        out[#out + 1] = sformat("  %-38s %10d", tostring(v), c.channel[v])
    end
    out[#out + 1] = rule
    return table.concat(out, "\n") .. "\n"
end

local STAT_ARG = "tamtam,stat"

register_stat_cmd_arg(STAT_ARG, function(arg)
    local filter = arg:sub(#STAT_ARG + 2)
    local tap = Listener.new("frame", filter ~= "" and ("tamtam && (" .. filter .. ")") or "tamtam")
    local counts = new_counts()
    function tap.packet()
        count_packet(counts)
    end
    function tap.draw()
        io.write(report(counts))
    end
    function tap.reset()
        counts = new_counts()
    end
end)

if gui_enabled() then
    register_menu("TamTam/Frames by status, class and channel", function()
        local win = TextWindow.new("TamTam frame statistics")
        local tap = Listener.new("frame", "tamtam")
        local counts = new_counts()
        function tap.packet()
            count_packet(counts)
        end
        function tap.draw()
            win:set(report(counts))
        end
        function tap.reset()
            counts = new_counts()
        end
        win:set_atclose(function()
            tap:remove()
        end)
        retap_packets()
    end, MENU_STAT_UNSORTED)
end
