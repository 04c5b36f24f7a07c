using System;
using System.Collections.Generic;
using System.Xml;
using TamTam.Core;

namespace TamTam.Shim
{
    /// <summary>
    /// The TamTam Conformance Harness Protocol v1 (spec/harness.md), one request
    /// line in, one response line out. Knows nothing about stdin or sockets, so
    /// the same object serves a stdio shim, a TCP shim or a unit test.
    /// </summary>
    public sealed class HarnessShim
    {
        public const string ImplName = "tamtam-cs";
        public const string ImplVersion = "1.0.0";
        public const int ProtocolVersion = 1;

        readonly FrameCodec codec;

        public HarnessShim(Crc8 crc)
        {
            codec = new FrameCodec(crc);
        }

        /// <summary>Answers one request (the line without its newline); never throws for any input bytes.</summary>
        public byte[] Handle(byte[] line, int count)
        {
            long? id = null;
            byte[] splinter = SplinterOps.TryHandle(line, count);
            if (splinter != null)
                return splinter;
            try
            {
                XmlElement request = JsonRequest.Parse(line, count);
                XmlElement idMember = JsonRequest.Member(request, "id");
                long idValue;
                if (idMember == null || !JsonRequest.TryInteger(idMember, out idValue))
                    throw new BadRequestException("\"id\" must be an integer");
                id = idValue;
                string op = JsonRequest.String(request, "op");
                switch (op)
                {
                    case "hello": return Hello(idValue, request);
                    case "decode": return Decode(idValue, request);
                    case "encode": return Encode(idValue, request);
                    case "stream": return Stream(idValue, request);
                    default: return Failure(idValue, "unsupported");
                }
            }
            catch (BadRequestException e)
            {
                return Failure(id, "bad_request", e.Message);
            }
        }

        /// <summary>The answer to a line longer than the shim accepts.</summary>
        public static byte[] TooLong(int maxBytes)
        {
            return Failure(null, "bad_request", "request line longer than " + maxBytes + " bytes");
        }

        byte[] Hello(long id, XmlElement request)
        {
            long version = JsonRequest.Integer(request, "version", long.MinValue, long.MaxValue);
            if (version != ProtocolVersion)
                return Failure(id, "unsupported", "this shim speaks harness protocol version " + ProtocolVersion);
            return Success(id)
                .String("impl", ImplName)
                .String("impl_version", ImplVersion)
                .String("crc", codec.Crc.Name)
                .BeginArray("ops").Item("decode").Item("encode").Item("stream")
                    .Item(SplinterOps.Ops[0]).Item(SplinterOps.Ops[1]).Item(SplinterOps.Ops[2]).End()
                .BeginArray("protocols").Item("tamtam-core/1").Item(SplinterOps.Protocol).End()
                .ToBytes();
        }

        byte[] Decode(long id, XmlElement request)
        {
            byte[] bytes = Hex.Parse(JsonRequest.String(request, "hex"));
            DecodeResult r = codec.Decode(bytes);
            if (!r.IsValid)
                return Failure(id, r.Error.WireName());
            JsonResponse resp = Success(id).Number("consumed", r.Length);
            WriteFrame(resp.BeginObject("frame"), r.Frame).End();
            return resp.ToBytes();
        }

        byte[] Encode(long id, XmlElement request)
        {
            XmlElement obj = JsonRequest.Required(request, "frame");
            if (JsonRequest.Type(obj) != "object")
                throw new BadRequestException("\"frame\" must be an object");
            Frame frame = ReadFrame(obj);
            byte[] bytes;
            try
            {
                bytes = codec.Encode(frame);
            }
            catch (FrameException e)
            {
                return Failure(id, e.Error.WireName());
            }
            return Success(id).String("hex", Hex.Format(bytes, 0, bytes.Length)).ToBytes();
        }

        byte[] Stream(long id, XmlElement request)
        {
            XmlElement chunks = JsonRequest.Required(request, "chunks");
            if (JsonRequest.Type(chunks) != "array")
                throw new BadRequestException("\"chunks\" must be an array of hex strings");
            // Parse every chunk before feeding any, so a bad one rejects the whole request.
            var parsed = new List<byte[]>();
            foreach (XmlNode n in chunks.ChildNodes)
            {
                var e = n as XmlElement;
                if (e == null)
                    continue;
                if (JsonRequest.Type(e) != "string")
                    throw new BadRequestException("\"chunks\" must be an array of hex strings");
                parsed.Add(Hex.Parse(e.InnerText));
            }
            var receiver = new StreamReceiver(codec);
            JsonResponse resp = Success(id).BeginArray("events");
            foreach (byte[] chunk in parsed)
            {
                foreach (StreamEvent ev in receiver.Push(chunk, 0, chunk.Length))
                {
                    resp.BeginObject(null);
                    if (ev.Frame != null)
                        WriteFrame(resp.BeginObject("frame"), ev.Frame).End();
                    else
                        resp.String("error", ev.Error.WireName()).Number("offset", ev.Offset);
                    resp.End();
                }
            }
            return resp.End().Number("pending", receiver.Pending).ToBytes();
        }

        /// <summary>A frame object of an encode request: crc and used_len may be absent; used_len, if given, must match the payload.</summary>
        static Frame ReadFrame(XmlElement obj)
        {
            var frame = new Frame
            {
                Class = (FrameClass)JsonRequest.Integer(obj, "class", 0, 15),
                Direction = (FrameDirection)JsonRequest.Integer(obj, "direction", 0, 15),
                SizeId = (int)JsonRequest.Integer(obj, "size_id", 0, 15),
                BigMode = JsonRequest.Boolean(obj, "big"),
                AckRequested = JsonRequest.Boolean(obj, "ack"),
                Priority = JsonRequest.Boolean(obj, "priority"),
                HasExt = JsonRequest.Boolean(obj, "ext"),
                ChannelId = (byte)JsonRequest.Integer(obj, "channel", 0, 255),
                Payload = Hex.Parse(JsonRequest.String(obj, "payload")),
            };
            XmlElement dest = JsonRequest.Required(obj, "dest");
            if (frame.HasExt)
                frame.DestOrchestratorId = (ushort)JsonRequest.Integer(obj, "dest", 0, 65535);
            else if (!JsonRequest.IsNull(dest))
                throw new BadRequestException("\"dest\" must be null when \"ext\" is false");
            if (JsonRequest.Member(obj, "used_len") != null &&
                JsonRequest.Integer(obj, "used_len", 0, 65535) != frame.UsedLen)
                throw new BadRequestException("\"used_len\" differs from the payload length");
            if (JsonRequest.Member(obj, "crc") != null)
                JsonRequest.Integer(obj, "crc", 0, 255);
            return frame;
        }

        /// <summary>The pinned frame object, members in the pinned order.</summary>
        static JsonResponse WriteFrame(JsonResponse o, Frame f)
        {
            o.Number("class", (int)f.Class)
             .Number("direction", (int)f.Direction)
             .Number("size_id", f.SizeId)
             .Boolean("big", f.BigMode)
             .Boolean("ack", f.AckRequested)
             .Boolean("priority", f.Priority)
             .Boolean("ext", f.HasExt)
             .Number("channel", f.ChannelId);
            if (f.DestOrchestratorId.HasValue)
                o.Number("dest", f.DestOrchestratorId.Value);
            else
                o.Null("dest");
            return o.Number("crc", f.Crc)
                    .Number("used_len", f.UsedLen)
                    .String("payload", Hex.Format(f.Payload, 0, f.Payload.Length));
        }

        static JsonResponse Success(long id)
        {
            return new JsonResponse().Number("id", id).Boolean("ok", true);
        }

        /// <summary>An "ok":false answer; <paramref name="detail"/>, when given, says why for the humans reading the log.</summary>
        static byte[] Failure(long? id, string error, string detail = null)
        {
            var resp = new JsonResponse();
            if (id.HasValue)
                resp.Number("id", id.Value);
            resp.Boolean("ok", false).String("error", error);
            if (detail != null)
                resp.String("detail", detail);
            return resp.ToBytes();
        }
    }

    /// <summary>Hex as the harness protocol writes bytes: no separators, either case in, lower case out.</summary>
    static class Hex
    {
        public static byte[] Parse(string hex)
        {
            if (hex.Length % 2 != 0)
                throw new BadRequestException("hex of odd length");
            var bytes = new byte[hex.Length / 2];
            for (int i = 0; i < bytes.Length; i++)
                bytes[i] = (byte)((Nibble(hex[2 * i]) << 4) | Nibble(hex[2 * i + 1]));
            return bytes;
        }

        public static string Format(byte[] bytes, int offset, int count)
        {
            const string digits = "0123456789abcdef";
            var chars = new char[2 * count];
            for (int i = 0; i < count; i++)
            {
                chars[2 * i] = digits[bytes[offset + i] >> 4];
                chars[2 * i + 1] = digits[bytes[offset + i] & 0x0F];
            }
            return new string(chars);
        }

        static int Nibble(char c)
        {
            if (c >= '0' && c <= '9')
                return c - '0';
            if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
            if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
            throw new BadRequestException("not a hex digit: '" + c + "'");
        }
    }
}
