-- toy_channel.lua: a toy layer above the TamTam Core Frame, for the test
-- dissector.table only. It registers for ChannelId 0xAB in the table
-- "tamtam.channel" and shows the payload as text (toy.text). Load it after
-- tamtam.lua (tshark -X lua_script:tamtam.lua -X lua_script:toy_channel.lua).
local toy = Proto("toy", "Toy channel layer")
local f_text = ProtoField.string("toy.text", "Text")
local f_len = ProtoField.uint16("toy.length", "Length", base.DEC)
toy.fields = { f_text, f_len }

function toy.dissector(tvb, pinfo, tree)
    local n = tvb:len()
    local ti = tree:add(toy, tvb())
    ti:add(f_len, n):set_generated()
    if n > 0 then
        ti:add(f_text, tvb(0, n))
    end
    return n
end

DissectorTable.get("tamtam.channel"):add(0xAB, toy)
