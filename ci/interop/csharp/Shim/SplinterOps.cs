using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Splinter.Core;

namespace TamTam.Shim
{
    /// <summary>
    /// The harness ops of protocol "splinter/1" (spec/harness.md HP-3.3-d,
    /// issue 12): splinter.validate, splinter.reassemble, splinter.fault.
    /// Requests are read with Splinter.Core's strict reader in its request
    /// mode, because a line under test may hold what the base class library's
    /// XML-mapped reader cannot carry (control characters, "\u0000", lone
    /// surrogates, bytes that are not UTF-8); answers are written compact.
    /// </summary>
    static class SplinterOps
    {
        public const string Protocol = "splinter/1";
        public const string ServiceName = "tamtam-cs";
        public static readonly string[] Ops = { "splinter.validate", "splinter.reassemble", "splinter.fault" };

        /// <summary>
        /// Answers a request whose op starts with "splinter.", or returns null
        /// when the line is not one (the Core Frame path then answers it).
        /// </summary>
        public static byte[] TryHandle(byte[] line, int count)
        {
            JsonValue rq;
            try
            {
                rq = StrictJson.ParseRequest(line, 0, count);
            }
            catch (JsonSyntaxException)
            {
                return null;
            }
            JsonValue op = rq.Get("op");
            if (rq.Kind != JsonKind.Object || op == null || !op.IsString ||
                !op.Text.StartsWith("splinter.", StringComparison.Ordinal))
                return null;
            JsonValue idv = rq.Get("id");
            ulong? id = idv == null ? null : idv.PlainInteger((ulong)long.MaxValue);
            if (!id.HasValue)
                return Bad(null, "\"id\" must be an integer");
            try
            {
                switch (op.Text)
                {
                    case "splinter.validate": return Validate((long)id.Value, rq);
                    case "splinter.reassemble": return Reassemble((long)id.Value, rq);
                    case "splinter.fault": return FaultOp((long)id.Value, rq);
                    default: return Reply(Start((long)id.Value, false).Add("error", JsonValue.String("unsupported")));
                }
            }
            catch (BadRequestException e)
            {
                return Bad((long)id.Value, e.Message);
            }
            // A bug of ours must not end the session: the answer says so
            // (SP-9.1-c's 5000) and the next request is served.
            catch (Exception e) when (!(e is OutOfMemoryException))
            {
                return Reply(FaultAnswer((long)id.Value, Fault.InternalError, null, e.GetType().Name + ": " + e.Message));
            }
        }

        // {"id":N,"op":"splinter.validate","line":"TEXT"|"line_hex":"HEX","now":"RFC3339","allow":{...}}
        static byte[] Validate(long id, JsonValue rq)
        {
            byte[] line = LineBytes(rq, "line", "line_hex");
            SpTime? now = Now(rq, false);
            AllowList allow = null;
            JsonValue a = rq.Get("allow");
            if (a != null && a.Kind != JsonKind.Null)
            {
                try
                {
                    allow = AllowList.FromJson(a);
                }
                catch (ArgumentException e)
                {
                    throw new BadRequestException("\"allow\" must be an object whose members are arrays of strings (SP-6-c): " + e.Message);
                }
            }
            Verdict v = EnvelopeValidator.Validate(line, 0, line.Length, allow, now);
            if (!v.IsValid)
                return Reply(FaultAnswer(id, v.Fault, v.Rule, v.Detail));
            return Reply(Start(id, true).Add("envelope", v.Envelope.Root).Add("notes", NoteNames(v.Notes)));
        }

        // {"id":N,"op":"splinter.reassemble","lines":["...",...],"now":"RFC3339"}: each line
        // arrives at its own ts (the vector set's rule), the deadline is judged against each
        // arrival and finally against now.
        static byte[] Reassemble(long id, JsonValue rq)
        {
            JsonValue lines = rq.Get("lines");
            if (lines == null || lines.Kind != JsonKind.Array)
                throw new BadRequestException("\"lines\" must be an array of strings");
            foreach (JsonValue l in lines.Items)
                if (!l.IsString)
                    throw new BadRequestException("every line must be a string");
            SpTime now = Now(rq, true).Value;
            var rx = new StreamReassembler();
            JsonValue payloads = JsonValue.NewArray(), faults = JsonValue.NewArray(), notes = JsonValue.NewArray();
            var keys = new List<KeyValuePair<string, string>>();
            bool timedOut = false;
            for (int i = 0; i < lines.Items.Count; i++)
            {
                byte[] b = lines.Items[i].Utf8;
                // TTL is not checked per line: each line arrives at its own ts.
                Verdict v = EnvelopeValidator.Validate(b, 0, b.Length, null, null);
                if (!v.IsValid)
                {
                    faults.Add(Indexed(i, "fault", JsonValue.Number((long)v.Fault)));
                    continue;
                }
                Envelope env = v.Envelope;
                if (!env.IsChunk)
                    throw new BadRequestException("lines[" + i + "] is a valid envelope but not a chunk (no seq/eof)");
                SpTime arrival = env.Ts.Value;
                timedOut |= rx.Expire(arrival).Count > 0;
                ChunkResult r = rx.Push(env, arrival);
                if (r.Fault != Fault.None)
                    faults.Add(Indexed(i, "fault", JsonValue.Number((long)r.Fault)));
                else if (!keys.Contains(new KeyValuePair<string, string>(env.From, env.Id)))
                    keys.Add(new KeyValuePair<string, string>(env.From, env.Id));
                if ((r.Notes & Notes.DuplicateChunk) != 0)
                    notes.Add(Indexed(i, "note", JsonValue.String("duplicate_chunk")));
                foreach (JsonValue p in r.Delivered)
                    payloads.Add(p);
            }
            bool complete = keys.Count > 0;
            foreach (KeyValuePair<string, string> k in keys)
                complete &= rx.IsComplete(k.Key, k.Value);
            timedOut |= rx.Expire(now).Count > 0;
            JsonValue reply = timedOut
                ? FaultAnswer(id, Fault.StreamTimeout, "SP-8-g", null)
                : Start(id, true).Add("complete", JsonValue.Boolean(complete)).Add("notes", notes);
            // Delivered payloads and chunk faults stay part of a timeout's answer (SP-8-g).
            return Reply(reply.Add("payloads", payloads).Add("faults", faults));
        }

        // {"id":N,"op":"splinter.fault","trigger":"LINE"|"trigger_hex":"HEX","fault":CODE,"detail":"...","now":"RFC3339"}
        static byte[] FaultOp(long id, JsonValue rq)
        {
            byte[] trigger = LineBytes(rq, "trigger", "trigger_hex");
            JsonValue f = rq.Get("fault");
            ulong? code = f == null ? null : f.PlainInteger(99999);
            if (!code.HasValue || FaultTable.Find((long)code.Value) == null)
                throw new BadRequestException("\"fault\" must be a code of the fault table (spec/splinter-envelope.md 9.1)");
            JsonValue d = rq.Get("detail");
            if (d != null && !d.IsString)
                throw new BadRequestException("\"detail\" must be a string");
            SpTime now = Now(rq, false) ?? SpTime.Now();
            string text;
            try
            {
                text = FaultReply.For(trigger, 0, trigger.Length, (Fault)code.Value, d == null ? null : d.Text, ServiceName, now);
            }
            catch (ArgumentOutOfRangeException)
            {
                throw new BadRequestException("\"now\" cannot be written as a ts (years 0000 to 9999)");
            }
            if (text == null)
                return Reply(Start(id, false)
                    .Add("error", JsonValue.String("no_reply"))
                    .Add("detail", JsonValue.String("no reply is possible: the trigger's id or from cannot be read, or it is an error envelope (SP-9.2-c, SP-9.2-d)")));
            byte[] tb = Encoding.UTF8.GetBytes(text);
            return Reply(Start(id, true)
                .Add("envelope", StrictJson.Parse(tb, 0, tb.Length))
                .Add("line", JsonValue.String(text)));
        }

        /// <summary>The bytes of member <paramref name="name"/> (a string) or of <paramref name="hexName"/> (lowercase or uppercase hex): exactly one.</summary>
        static byte[] LineBytes(JsonValue rq, string name, string hexName)
        {
            JsonValue s = rq.Get(name), h = rq.Get(hexName);
            if ((s == null) == (h == null))
                throw new BadRequestException("exactly one of \"" + name + "\" and \"" + hexName + "\" is required");
            if (s != null)
            {
                if (!s.IsString)
                    throw new BadRequestException("\"" + name + "\" must be a string");
                return s.Utf8;
            }
            if (!h.IsString)
                throw new BadRequestException("\"" + hexName + "\" must be a string of hex digit pairs");
            return Hex.Parse(h.Text);
        }

        static SpTime? Now(JsonValue rq, bool required)
        {
            JsonValue v = rq.Get("now");
            if (v == null && !required)
                return null;
            SpTime t;
            string rule;
            if (v == null || !v.IsString || !SpTime.TryParse(v.Text, out t, out rule))
                throw new BadRequestException("\"now\" must be an RFC 3339 UTC time (spec/splinter-envelope.md section 5)");
            return t;
        }

        static JsonValue NoteNames(Notes n)
        {
            JsonValue a = JsonValue.NewArray();
            if ((n & Notes.IdNotUuidV7) != 0) a.Add(JsonValue.String("id_not_uuidv7"));
            if ((n & Notes.UnknownFaultCode) != 0) a.Add(JsonValue.String("unknown_fault_code"));
            if ((n & Notes.UnknownMember) != 0) a.Add(JsonValue.String("unknown_member"));
            if ((n & Notes.DuplicateChunk) != 0) a.Add(JsonValue.String("duplicate_chunk"));
            return a;
        }

        static JsonValue Indexed(int index, string name, JsonValue value)
        {
            return JsonValue.NewObject().Add("index", JsonValue.Number(index)).Add(name, value);
        }

        static JsonValue Start(long? id, bool ok)
        {
            JsonValue o = JsonValue.NewObject();
            if (id.HasValue)
                o.Add("id", JsonValue.Number(id.Value));
            return o.Add("ok", JsonValue.Boolean(ok));
        }

        // {"id":N,"ok":false,"error":SYMBOL,"fault":CODE,"req":ID,"detail":D}
        static JsonValue FaultAnswer(long id, Fault fault, string rule, string detail)
        {
            JsonValue o = Start(id, false)
                .Add("error", JsonValue.String(FaultTable.Symbol(fault)))
                .Add("fault", JsonValue.Number((long)fault));
            if (rule != null)
                o.Add("req", JsonValue.String(rule));
            if (!string.IsNullOrEmpty(detail))
                o.Add("detail", JsonValue.String(detail));
            return o;
        }

        static byte[] Bad(long? id, string detail)
        {
            return Reply(Start(id, false).Add("error", JsonValue.String("bad_request")).Add("detail", JsonValue.String(detail)));
        }

        static byte[] Reply(JsonValue o)
        {
            return Encoding.UTF8.GetBytes(o.ToCompact());
        }
    }
}
