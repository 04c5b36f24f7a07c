using System;
using System.Collections.Generic;
using System.Text;

namespace Splinter.Core
{
    /// <summary>The five message types of spec section 4; Unknown for any other string.</summary>
    public enum MessageType { Unknown, Query, Response, Event, Error, Heartbeat }

    /// <summary>Info notes of spec section 9.3: reported with a valid envelope, never a fault (SP-9.3-a).</summary>
    [Flags]
    public enum Notes
    {
        None = 0,
        IdNotUuidV7 = 1,       // SP-3.1-c
        UnknownFaultCode = 2,  // SP-4-e
        UnknownMember = 4,     // SP-3.3-a
        DuplicateChunk = 8,    // SP-8-e
    }

    /// <summary>
    /// A parsed envelope. Members are set as far as validation got: on a
    /// fault, those read before the failing check are set, the rest are at
    /// their defaults.
    /// </summary>
    public sealed class Envelope
    {
        /// <summary>The parsed line with every member, unknown ones included (SP-3.3-a); null when it did not parse.</summary>
        public JsonValue Root;
        public string Id;
        public SpTime? Ts;
        public string From;
        /// <summary>The recipient; "*" when the member is absent (SP-3.2-a).</summary>
        public string To = "*";
        public bool ToPresent;
        public string TypeName;
        public MessageType Type;
        /// <summary>Null when absent (allowed for a heartbeat only).</summary>
        public JsonValue Payload;
        public ulong? TtlMs;
        public string Trace;
        /// <summary>Set, with <see cref="Eof"/>, on a chunk (SP-3.2-e).</summary>
        public uint? Seq;
        public bool Eof;
        public bool IsChunk { get { return Seq.HasValue; } }
        /// <summary>An error envelope's payload (SP-4-d); ErrorCode null otherwise.</summary>
        public long? ErrorCode;
        public string ErrorSymbol, ErrorDetail;
    }

    /// <summary>The verdict on one line: a fault code (None when valid), the SP- ID that failed, a sentence, the info notes.</summary>
    public sealed class Verdict
    {
        public Fault Fault;
        public string Rule;
        public string Detail = "";
        public Notes Notes;
        public Envelope Envelope = new Envelope();
        public bool IsValid { get { return Fault == Fault.None; } }

        public override string ToString()
        {
            return IsValid ? "valid" : (int)Fault + " " + FaultTable.Symbol(Fault) + " (" + Rule + "): " + Detail;
        }
    }

    /// <summary>
    /// An allow-list (spec section 6): sender to the recipients it may address,
    /// by exact string; a sender without an entry may address no one, and "*"
    /// in a list allows broadcast only.
    /// </summary>
    public sealed class AllowList
    {
        readonly Dictionary<string, HashSet<string>> map = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);

        /// <summary>Reads the JSON form of SP-6-c, {"sender":["recipient",...]}; ArgumentException for any other shape.</summary>
        public static AllowList FromJson(JsonValue v)
        {
            if (v == null || v.Kind != JsonKind.Object)
                throw new ArgumentException("an allow-list is an object of sender: [recipients]");
            var list = new AllowList();
            foreach (KeyValuePair<string, JsonValue> m in v.Members)
            {
                if (m.Value.Kind != JsonKind.Array)
                    throw new ArgumentException("the allow-list entry of \"" + m.Key + "\" is not an array");
                var set = new HashSet<string>(StringComparer.Ordinal);
                foreach (JsonValue r in m.Value.Items)
                {
                    if (!r.IsString)
                        throw new ArgumentException("the allow-list entry of \"" + m.Key + "\" holds a non-string");
                    set.Add(r.Text);
                }
                list.map[m.Key] = set;
            }
            return list;
        }

        /// <summary>Adds (or extends) the entry of <paramref name="from"/>; returns this list.</summary>
        public AllowList Allow(string from, params string[] to)
        {
            HashSet<string> set;
            if (!map.TryGetValue(from, out set))
                map[from] = set = new HashSet<string>(StringComparer.Ordinal);
            foreach (string t in to)
                set.Add(t);
            return this;
        }

        /// <summary>True when <paramref name="from"/> may address <paramref name="to"/> (SP-6-b).</summary>
        public bool Allows(string from, string to)
        {
            HashSet<string> set;
            return map.TryGetValue(from, out set) && set.Contains(to);
        }
    }

    /// <summary>
    /// The envelope validator of spec sections 2 to 7: one line in, a verdict
    /// out, checks in the order of SP-7-a (1000 envelope, 3000, 1000
    /// type-specific payload, 2000, 1001) and inside the envelope stage in the
    /// order of SP-7-b. Never throws for any bytes.
    /// </summary>
    public static class EnvelopeValidator
    {
        public const int MaxLineBytes = 1048576;   // SP-2-f
        public const int MaxIdBytes = 128;         // SP-3.1-b
        public const ulong MaxTtl = 9007199254740991UL;  // 2^53 - 1, SP-3.2-b
        public const ulong MaxSeq = 4294967295UL;        // 2^32 - 1, SP-3.2-d
        public const ulong MaxCode = 2147483647UL;       // 2^31 - 1, SP-4-d

        static readonly string[] KnownMembers = { "id", "ts", "from", "to", "type", "payload", "ttl_ms", "trace", "seq", "eof" };

        /// <summary>Validates a string (encoded as UTF-8); see the byte overload.</summary>
        public static Verdict Validate(string line, AllowList allow, SpTime? now)
        {
            byte[] b = Encoding.UTF8.GetBytes(line);
            return Validate(b, 0, b.Length, allow, now);
        }

        /// <summary>
        /// Judges one line: <paramref name="count"/> bytes at <paramref name="offset"/>,
        /// one trailing "\n" or "\r\n" stripped first. <paramref name="allow"/>
        /// null allows everything; <paramref name="now"/> is the arrival time
        /// for the TTL check, null to skip it.
        /// </summary>
        public static Verdict Validate(byte[] line, int offset, int count, AllowList allow, SpTime? now)
        {
            var v = new Verdict();
            if (count > 0 && line[offset + count - 1] == '\n')
            {
                count--;
                if (count > 0 && line[offset + count - 1] == '\r')
                    count--;
            }
            // Stage 1: the line (section 2).
            if (count > MaxLineBytes)
                return Fail(v, Fault.BadSchema, "SP-2-f", "the line is " + count + " bytes, more than " + MaxLineBytes);
            int bad = StrictJson.FindInvalidUtf8(line, offset, count);
            if (bad >= 0)
                return Fail(v, Fault.BadSchema, "SP-2-b", "invalid UTF-8 at byte " + (bad - offset));
            JsonValue root;
            try
            {
                root = StrictJson.Parse(line, offset, count);
            }
            catch (JsonSyntaxException e)
            {
                return Fail(v, Fault.BadSchema, e.Rule, e.Message);
            }
            if (root.Kind != JsonKind.Object)
                return Fail(v, Fault.BadSchema, "SP-2-h", "the line is a JSON " + root.Kind.ToString().ToLowerInvariant() + ", not an object");
            Envelope env = v.Envelope;
            env.Root = root;

            // Stage 1: the members (section 3), in the order of SP-7-b.
            foreach (string name in new[] { "id", "ts", "from", "type" })
                if (root.Get(name) == null)
                    return Fail(v, Fault.BadSchema, "SP-3.1-a", "required member \"" + name + "\" is missing");
            string why = ReadId(root.Get("id"), out env.Id);
            if (why != null)
                return Fail(v, Fault.BadSchema, "SP-3.1-b", why);
            JsonValue ts = root.Get("ts");
            if (!ts.IsString)
                return Fail(v, Fault.BadSchema, "SP-3.1-d", "\"ts\" is not a string");
            SpTime t;
            string rule;
            if (!SpTime.TryParse(ts.Text, out t, out rule))
                return Fail(v, Fault.BadSchema, rule, "\"ts\" is not an RFC 3339 date-time in UTC");
            env.Ts = t;
            why = ReadFrom(root.Get("from"), out env.From);
            if (why != null)
                return Fail(v, Fault.BadSchema, "SP-3.1-e", why);
            JsonValue to = root.Get("to");
            if (to != null)
            {
                if (!to.IsString || to.Text.Length == 0)
                    return Fail(v, Fault.BadSchema, "SP-3.2-a", "\"to\" is not a non-empty string");
                env.To = to.Text;
                env.ToPresent = true;
            }
            JsonValue type = root.Get("type");
            if (!type.IsString)
                return Fail(v, Fault.BadSchema, "SP-3.1-f", "\"type\" is not a string");
            env.TypeName = type.Text;
            JsonValue ttl = root.Get("ttl_ms");
            if (ttl != null)
            {
                env.TtlMs = ttl.PlainInteger(MaxTtl);
                if (!env.TtlMs.HasValue)
                    return Fail(v, Fault.BadSchema, ttl.Kind == JsonKind.Number ? "SP-3.4-a" : "SP-3.2-b",
                                "\"ttl_ms\" is not an integer 0..2^53-1 written as digits");
            }
            JsonValue trace = root.Get("trace");
            if (trace != null)
            {
                if (!trace.IsString)
                    return Fail(v, Fault.BadSchema, "SP-3.2-c", "\"trace\" is not a string");
                env.Trace = trace.Text;
            }
            JsonValue seq = root.Get("seq"), eof = root.Get("eof");
            if (seq != null)
            {
                ulong? s = seq.PlainInteger(MaxSeq);
                if (!s.HasValue)
                    return Fail(v, Fault.BadSchema, "SP-3.2-d", "\"seq\" is not an integer 0..2^32-1 written as digits");
                env.Seq = (uint)s.Value;
            }
            if (eof != null && !eof.IsBoolean)
                return Fail(v, Fault.BadSchema, "SP-3.2-d", "\"eof\" is not true or false");
            if ((seq == null) != (eof == null))
            {
                env.Seq = null;
                return Fail(v, Fault.BadSchema, "SP-3.2-e", "\"seq\" and \"eof\" must appear together");
            }
            env.Eof = eof != null && eof.Kind == JsonKind.True;

            // Stage 2: the type (SP-4-a).
            env.Type = TypeOf(env.TypeName);
            if (env.Type == MessageType.Unknown)
                return Fail(v, Fault.UnknownType, "SP-4-a", "type \"" + env.TypeName + "\" is none of the five");

            // Stage 3: the type-specific payload (SP-4-b, SP-4-d, SP-4-e).
            env.Payload = root.Get("payload");
            if (env.Payload == null && env.Type != MessageType.Heartbeat)
                return Fail(v, Fault.BadSchema, "SP-4-b", "a " + env.TypeName + " must carry \"payload\"");
            Notes notes = Notes.None;
            if (env.Type == MessageType.Error)
            {
                why = ReadErrorPayload(env, ref notes);
                if (why != null)
                    return Fail(v, Fault.BadSchema, why.StartsWith("SP-4-e", StringComparison.Ordinal) ? "SP-4-e" : "SP-4-d",
                                why.Substring(why.IndexOf(' ') + 1));
            }

            // Stage 4: authorization (SP-6-b), every type.
            if (allow != null && !allow.Allows(env.From, env.To))
                return Fail(v, Fault.NotAuthorized, "SP-6-b", "\"" + env.From + "\" may not address \"" + env.To + "\"");

            // Stage 5: time to live (SP-5.1-a); arrival equal to ts + ttl is on time.
#if SEEDED_TTL_EQUAL_LATE
            // Test builds only (ci/CMakeLists.txt): the classic off-by-one, equal counted late.
            if (env.TtlMs.HasValue && now.HasValue && now.Value >= t.AddMilliseconds(env.TtlMs.Value))
#else
            if (env.TtlMs.HasValue && now.HasValue && now.Value > t.AddMilliseconds(env.TtlMs.Value))
#endif
                return Fail(v, Fault.TtlExpired, "SP-5.1-a", "arrived after ts + ttl_ms");

            if (!IsUuidV7(env.Id))
                notes |= Notes.IdNotUuidV7;
            foreach (KeyValuePair<string, JsonValue> m in root.Members)
                if (Array.IndexOf(KnownMembers, m.Key) < 0)
                    notes |= Notes.UnknownMember;
            v.Notes = notes;
            return v;
        }

        /// <summary>
        /// Reads the fault reply's target from a trigger line (SP-9.2-b): its
        /// id and from, when the line passes section 2 and both are valid;
        /// false when no reply is possible (SP-9.2-c). <paramref name="type"/>
        /// is the trigger's type member when it is a string (SP-9.2-d needs it).
        /// </summary>
        public static bool TryReadReplyTarget(byte[] line, int offset, int count, out string id, out string from, out string type)
        {
            id = from = type = null;
            Verdict v = Validate(line, offset, count, null, null);
            JsonValue root = v.Envelope.Root;
            if (root == null)
                return false;
            string i, f;
            if (ReadId(root.Get("id"), out i) != null || ReadFrom(root.Get("from"), out f) != null)
                return false;
            JsonValue t = root.Get("type");
            if (t != null && t.IsString)
                type = t.Text;
            id = i;
            from = f;
            return true;
        }

        /// <summary>True for a UUID version 7 of the RFC 9562 variant in its hyphenated form, hex digits of either case (SP-3.1-c).</summary>
        public static bool IsUuidV7(string s)
        {
            if (s == null || s.Length != 36)
                return false;
            for (int i = 0; i < 36; i++)
            {
                char c = s[i];
                bool hyphen = i == 8 || i == 13 || i == 18 || i == 23;
                if (hyphen ? c != '-' : !Uri.IsHexDigit(c))
                    return false;
            }
            return s[14] == '7' && "89abAB".IndexOf(s[19]) >= 0;
        }

        static MessageType TypeOf(string name)
        {
            switch (name)
            {
                case "query": return MessageType.Query;
                case "response": return MessageType.Response;
                case "event": return MessageType.Event;
                case "error": return MessageType.Error;
                case "heartbeat": return MessageType.Heartbeat;
                default: return MessageType.Unknown;
            }
        }

        static string ReadId(JsonValue id, out string value)
        {
            value = null;
            if (id == null || !id.IsString)
                return "\"id\" is not a string";
            int n = Encoding.UTF8.GetByteCount(id.Text);
            if (n < 1 || n > MaxIdBytes)
                return "\"id\" is " + n + " bytes, not 1.." + MaxIdBytes;
            value = id.Text;
            return null;
        }

        static string ReadFrom(JsonValue from, out string value)
        {
            value = null;
            if (from == null || !from.IsString || from.Text.Length == 0)
                return "\"from\" is not a non-empty string";
            value = from.Text;
            return null;
        }

        /// <summary>SP-4-d/e; returns null when fine, else "SP-4-x why".</summary>
        static string ReadErrorPayload(Envelope env, ref Notes notes)
        {
            JsonValue p = env.Payload;
            if (p.Kind != JsonKind.Object)
                return "SP-4-d an error payload is an object";
            JsonValue code = p.Get("code"), symbol = p.Get("symbol"), detail = p.Get("detail");
            ulong? c = code == null ? null : code.PlainInteger(MaxCode);
            if (!c.HasValue)
                return "SP-4-d the error payload's \"code\" is not an integer 0..2^31-1";
            if (symbol == null || !symbol.IsString)
                return "SP-4-d the error payload's \"symbol\" is not a string";
            if (detail != null && !detail.IsString)
                return "SP-4-d the error payload's \"detail\" is not a string";
            FaultInfo row = FaultTable.Find((long)c.Value);
            if (row != null && row.Symbol != symbol.Text)
                return "SP-4-e code " + c.Value + " is " + row.Symbol + ", not \"" + symbol.Text + "\"";
            if (row == null)
                notes |= Notes.UnknownFaultCode;
            env.ErrorCode = (long)c.Value;
            env.ErrorSymbol = symbol.Text;
            env.ErrorDetail = detail == null ? null : detail.Text;
            return null;
        }

        static Verdict Fail(Verdict v, Fault fault, string rule, string detail)
        {
            v.Fault = fault;
            v.Rule = rule;
            v.Detail = detail;
            return v;
        }
    }
}
