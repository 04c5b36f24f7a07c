using System.Text;
using NUnit.Framework;
using Splinter.Core;

namespace Splinter.Core.Tests
{
    /// <summary>The validator against spec sections 2 to 7, rule by rule.</summary>
    [TestFixture]
    public class EnvelopeValidatorTests
    {
        static void AssertFault(Verdict v, Fault fault, string rule, string what)
        {
            Assert.AreEqual(fault, v.Fault, what + ": " + v);
            Assert.AreEqual(rule, v.Rule, what + ": " + v);
        }

        static void AssertValid(Verdict v, string what)
        {
            Assert.IsTrue(v.IsValid, what + ": " + v);
        }

        [Test]
        public void MinimalQueryIsValidAndReadMemberByMember()
        {
            Verdict v = Lines.Check(Lines.Query(",\"ttl_ms\":5000,\"trace\":\"t1\""));
            AssertValid(v, "query");
            Envelope e = v.Envelope;
            Assert.AreEqual(Lines.Uuid7, e.Id);
            Assert.AreEqual(Lines.Time(Lines.Ts), e.Ts.Value);
            Assert.AreEqual("chat", e.From);
            Assert.AreEqual("rag_server", e.To);
            Assert.IsTrue(e.ToPresent);
            Assert.AreEqual(MessageType.Query, e.Type);
            Assert.AreEqual("{\"q\":\"hi\"}", e.Payload.ToCompact());
            Assert.AreEqual(5000UL, e.TtlMs.Value);
            Assert.AreEqual("t1", e.Trace);
            Assert.IsFalse(e.IsChunk);
            Assert.AreEqual(Notes.None, v.Notes);
        }

        // SP-2-a: one object, JSON whitespace around it, CR LF; nothing else.
        [TestCase(" \t{OBJ} \t", true)]
        [TestCase("{OBJ}\r\n", true)]
        [TestCase("{OBJ}\n", true)]
        [TestCase("{OBJ}\r", true)]
        [TestCase("{OBJ}{}", false)]
        [TestCase("{OBJ} 1", false)]
        [TestCase("\uFEFF{OBJ}", false)]
        [TestCase("{OBJ}\n\n", false)]
        [TestCase("\n{OBJ}", false)]
        [TestCase("{OBJ}\u000b", false)]
        public void LineAroundTheObject(string shape, bool valid)
        {
            string obj = Lines.Query();
            string line = shape.Replace("{OBJ}", obj);
            Verdict v = Lines.Check(line);
            if (valid)
                AssertValid(v, line);
            else
                AssertFault(v, Fault.BadSchema, "SP-2-a", line);
        }

        [Test]
        public void RawNulByteAfterTheObjectIsFault()
        {
            byte[] b = Lines.Bytes(Lines.Query() + "\0");
            AssertFault(Lines.Check(b), Fault.BadSchema, "SP-2-a", "NUL");
        }

        // SP-2-b: invalid UTF-8 anywhere, by byte sequence, inside a string member.
        [TestCase("80", TestName = "stray continuation")]
        [TestCase("c3", TestName = "truncated 2-byte")]
        [TestCase("e2 82", TestName = "truncated 3-byte")]
        [TestCase("c0 af", TestName = "overlong slash, 2 bytes")]
        [TestCase("c0 80", TestName = "overlong NUL, 2 bytes")]
        [TestCase("e0 80 af", TestName = "overlong slash, 3 bytes")]
        [TestCase("f0 80 80 af", TestName = "overlong slash, 4 bytes")]
        [TestCase("ed a0 80", TestName = "encoded high surrogate")]
        [TestCase("ed bf bf", TestName = "encoded low surrogate")]
        [TestCase("f4 90 80 80", TestName = "above U+10FFFF")]
        [TestCase("f5 80 80 80", TestName = "F5 lead byte")]
        [TestCase("ff", TestName = "FF byte")]
        public void InvalidUtf8(string hex)
        {
            byte[] head = Lines.Bytes(Lines.Query().Replace("\"hi\"}}", "\"h"));
            byte[] line = Concat(head, Lines.Hex(hex), Lines.Bytes("\"}}"));
            AssertValid(Lines.Check(Concat(head, Lines.Bytes("\"}}"))), "the line without the bad bytes");
            AssertFault(Lines.Check(line), Fault.BadSchema, "SP-2-b", hex);
        }

        [TestCase("c3 a9", TestName = "e acute")]
        [TestCase("e2 82 ac", TestName = "euro")]
        [TestCase("f0 9f 98 80", TestName = "emoji")]
        [TestCase("f4 8f bf bf", TestName = "U+10FFFF")]
        public void ValidUtf8(string hex)
        {
            byte[] head = Lines.Bytes(Lines.Query().Replace("\"hi\"}}", "\"h"));
            AssertValid(Lines.Check(Concat(head, Lines.Hex(hex), Lines.Bytes("\"}}"))), hex);
        }

        [TestCase("\\uD83D\\uDE00", true)]
        [TestCase("\\ud83d\\ude00", true)]
        [TestCase("\\uD83D", false)]
        [TestCase("\\uDE00", false)]
        [TestCase("\\uD83Dx", false)]
        [TestCase("\\uD83D\\u0041", false)]
        public void EscapedSurrogates(string escape, bool valid)
        {
            string line = Lines.Query().Replace("\"hi\"", "\"" + escape + "\"");
            if (valid)
                AssertValid(Lines.Check(line), escape);
            else
                AssertFault(Lines.Check(line), Fault.BadSchema, "SP-2-b", escape);
        }

        // SP-2-c: strict RFC 8259, each payload in place of {"q":"hi"}.
        [TestCase("{\"q\":1,}")]
        [TestCase("[1,]")]
        [TestCase("{'q':1}")]
        [TestCase("01")]
        [TestCase("-01")]
        [TestCase("+1")]
        [TestCase("1.")]
        [TestCase(".5")]
        [TestCase("1e")]
        [TestCase("1e+")]
        [TestCase("-")]
        [TestCase("NaN")]
        [TestCase("Infinity")]
        [TestCase("-Infinity")]
        [TestCase("tru")]
        [TestCase("nul")]
        [TestCase("True")]
        [TestCase("/* c */ 1")]
        [TestCase("\"a\tb\"")]
        [TestCase("\"\\x41\"")]
        [TestCase("\"\\u12\"")]
        [TestCase("\"\\U0041\"")]
        [TestCase("\"\\'\"")]
        [TestCase("\"open")]
        [TestCase("{\"q\" 1}")]
        [TestCase("{\"q\":1 \"r\":2}")]
        [TestCase("[1 2]")]
        [TestCase("{1:2}")]
        [TestCase("1234567890123456789012345678901234567890123456789012345678901234")]
        public void NotStrictJson(string payload)
        {
            AssertFault(Lines.Check(Lines.With("payload", payload)), Fault.BadSchema, "SP-2-c", payload);
        }

        [TestCase("0")]
        [TestCase("-0")]
        [TestCase("1.5e-3")]
        [TestCase("1E+10")]
        [TestCase("-12.0")]
        [TestCase("[]")]
        [TestCase("{}")]
        [TestCase("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"")]
        [TestCase("[true,false,null]")]
        [TestCase("123456789012345678901234567890123456789012345678901234567890123")]
        public void StrictJsonAccepted(string payload)
        {
            Verdict v = Lines.Check(Lines.With("payload", payload));
            AssertValid(v, payload);
        }

        // SP-2-d: duplicates at any depth, compared after unescaping.
        [TestCase("{\"id\":\"a\",\"id\":\"a\",\"ts\":\"TS\",\"from\":\"chat\",\"type\":\"event\",\"payload\":1}")]
        [TestCase("{\"id\":\"a\",\"ts\":\"TS\",\"from\":\"chat\",\"type\":\"event\",\"payload\":{\"k\":1,\"k\":2}}")]
        [TestCase("{\"id\":\"a\",\"ts\":\"TS\",\"from\":\"chat\",\"type\":\"event\",\"payload\":[{\"x\":[{\"k\":1,\"k\":1}]}]}")]
        [TestCase("{\"id\":\"a\",\"ts\":\"TS\",\"from\":\"chat\",\"type\":\"event\",\"payload\":{\"a\":1,\"\\u0061\":2}}")]
        [TestCase("{\"id\":\"a\",\"ts\":\"TS\",\"from\":\"chat\",\"\\u0066rom\":\"x\",\"type\":\"event\",\"payload\":1}")]
        public void DuplicateNames(string line)
        {
            AssertFault(Lines.Check(line.Replace("TS", Lines.Ts)), Fault.BadSchema, "SP-2-d", line);
        }

        [Test]
        public void SameNameInSiblingObjectsIsFine()
        {
            AssertValid(Lines.Check(Lines.With("payload", "[{\"k\":1},{\"k\":2}]")), "siblings");
        }

        // SP-2-e: the envelope is depth 1, so a payload may nest 63 more.
        static string Nest(int levels, bool arrays)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < levels; i++)
                sb.Append(arrays ? "[" : "{\"k\":");
            sb.Append('1');
            for (int i = 0; i < levels; i++)
                sb.Append(arrays ? "]" : "}");
            return sb.ToString();
        }

        [TestCase(true)]
        [TestCase(false)]
        public void DepthSixtyFourIsValidSixtyFiveIsNot(bool arrays)
        {
            AssertValid(Lines.Check(Lines.With("payload", Nest(63, arrays))), "depth 64");
            AssertFault(Lines.Check(Lines.With("payload", Nest(64, arrays))), Fault.BadSchema, "SP-2-e", "depth 65");
        }

        [Test]
        public void DeepNestingDoesNotOverflow()
        {
            AssertFault(Lines.Check(Lines.With("payload", Nest(200000, true))), Fault.BadSchema, "SP-2-e", "depth 200001");
        }

        // SP-2-f: 1 MiB without the terminator is judged; one byte more is not.
        [Test]
        public void LineLengthLimit()
        {
            string head = Lines.Query().Replace("\"hi\"}}", "\"");
            int pad = EnvelopeValidator.MaxLineBytes - Encoding.UTF8.GetByteCount(head) - 3;
            string exact = head + new string('x', pad) + "\"}}";
            Assert.AreEqual(EnvelopeValidator.MaxLineBytes, Encoding.UTF8.GetByteCount(exact));
            AssertValid(Lines.Check(exact), "exactly 1 MiB");
            AssertValid(Lines.Check(exact + "\r\n"), "exactly 1 MiB and CR LF");
            string over = head + new string('x', pad + 1) + "\"}}";
            AssertFault(Lines.Check(over), Fault.BadSchema, "SP-2-f", "1 MiB + 1");
        }

        // SP-2-g: no escaped NUL, in a value or a name.
        [TestCase("\"a\\u0000b\"")]
        [TestCase("{\"\\u0000\":1}")]
        public void EscapedNul(string payload)
        {
            AssertFault(Lines.Check(Lines.With("payload", payload)), Fault.BadSchema, "SP-2-g", payload);
        }

        [Test]
        public void EscapedNulInTheIdToo()
        {
            AssertFault(Lines.Check(Lines.With("id", "\"ab\\u0000\"")), Fault.BadSchema, "SP-2-g", "id");
        }

        // SP-2-h: not an object.
        [TestCase("")]
        [TestCase("   ")]
        [TestCase("\r\n")]
        [TestCase("[]")]
        [TestCase("\"text\"")]
        [TestCase("42")]
        [TestCase("null")]
        public void NotAnObject(string line)
        {
            AssertFault(Lines.Check(line), Fault.BadSchema, "SP-2-h", "'" + line + "'");
        }

        // SP-3.1-a: each required member missing; SP-3.3-b: names are case-sensitive.
        [TestCase("id")]
        [TestCase("ts")]
        [TestCase("from")]
        [TestCase("type")]
        public void RequiredMemberMissing(string name)
        {
            AssertFault(Lines.Check(Lines.With(name, null)), Fault.BadSchema, "SP-3.1-a", name);
        }

        [Test]
        public void UpperCaseIdIsUnknownNotId()
        {
            string line = Lines.With("id", null).Replace("{", "{\"ID\":\"" + Lines.Uuid7 + "\",");
            AssertFault(Lines.Check(line), Fault.BadSchema, "SP-3.1-a", "ID");
        }

        // Every known member with wrong types and values.
        [TestCase("id", "\"\"", "SP-3.1-b")]
        [TestCase("id", "1", "SP-3.1-b")]
        [TestCase("id", "null", "SP-3.1-b")]
        [TestCase("id", "[\"a\"]", "SP-3.1-b")]
        [TestCase("ts", "1767225600", "SP-3.1-d")]
        [TestCase("ts", "\"yesterday\"", "SP-5-a")]
        [TestCase("ts", "\"2026-01-01T00:00:00+02:00\"", "SP-5-b")]
        [TestCase("from", "\"\"", "SP-3.1-e")]
        [TestCase("from", "7", "SP-3.1-e")]
        [TestCase("to", "\"\"", "SP-3.2-a")]
        [TestCase("to", "[\"x\"]", "SP-3.2-a")]
        [TestCase("to", "null", "SP-3.2-a")]
        [TestCase("type", "1", "SP-3.1-f")]
        [TestCase("type", "null", "SP-3.1-f")]
        [TestCase("ttl_ms", "\"5\"", "SP-3.2-b")]
        [TestCase("ttl_ms", "-1", "SP-3.4-a")]
        [TestCase("ttl_ms", "-0", "SP-3.4-a")]
        [TestCase("ttl_ms", "5000.0", "SP-3.4-a")]
        [TestCase("ttl_ms", "5e3", "SP-3.4-a")]
        [TestCase("ttl_ms", "9007199254740992", "SP-3.4-a")]
        [TestCase("trace", "1", "SP-3.2-c")]
        [TestCase("trace", "null", "SP-3.2-c")]
        public void MemberOfTheWrongTypeOrForm(string name, string value, string rule)
        {
            AssertFault(Lines.Check(Lines.With(name, value)), Fault.BadSchema, rule, name + "=" + value);
        }

        [TestCase(1)]
        [TestCase(128)]
        public void IdOfOneTo128Bytes(int n)
        {
            AssertValid(Lines.Check(Lines.With("id", "\"" + new string('a', n) + "\"")), n + " bytes");
        }

        [Test]
        public void IdCountsBytesNotCharacters()
        {
            // 64 two-byte characters = 128 bytes; 65 = 130.
            AssertValid(Lines.Check(Lines.With("id", "\"" + new string('\u00e9', 64) + "\"")), "128 bytes");
            AssertFault(Lines.Check(Lines.With("id", "\"" + new string('\u00e9', 65) + "\"")), Fault.BadSchema, "SP-3.1-b", "130 bytes");
            AssertFault(Lines.Check(Lines.With("id", "\"" + new string('a', 129) + "\"")), Fault.BadSchema, "SP-3.1-b", "129 bytes");
        }

        // SP-3.1-c: UUIDv7 recommended only.
        [TestCase("0190b6e4-5c1a-7abc-8def-0123456789ab", false)]
        [TestCase("0190B6E4-5C1A-7ABC-BDEF-0123456789AB", false)]
        [TestCase("0190b6e4-5c1a-4abc-8def-0123456789ab", true)]
        [TestCase("0190b6e4-5c1a-7abc-cdef-0123456789ab", true)]
        [TestCase("0190b6e45c1a7abc8def0123456789ab", true)]
        [TestCase("{0190b6e4-5c1a-7abc-8def-0123456789ab}", true)]
        [TestCase("order-17", true)]
        public void UuidV7IsOnlyANote(string id, bool note)
        {
            Verdict v = Lines.Check(Lines.With("id", "\"" + id + "\""));
            AssertValid(v, id);
            Assert.AreEqual(note, (v.Notes & Notes.IdNotUuidV7) != 0, id);
        }

        // SP-3.2-a: absent to is "*".
        [Test]
        public void AbsentToMeansBroadcast()
        {
            Verdict v = Lines.Check(Lines.With("to", null));
            AssertValid(v, "no to");
            Assert.AreEqual("*", v.Envelope.To);
            Assert.IsFalse(v.Envelope.ToPresent);
        }

        // SP-3.2-b: ttl_ms bounds.
        [TestCase("0", 0UL)]
        [TestCase("9007199254740991", 9007199254740991UL)]
        public void TtlBounds(string text, ulong value)
        {
            Verdict v = Lines.Check(Lines.With("ttl_ms", text));
            AssertValid(v, text);
            Assert.AreEqual(value, v.Envelope.TtlMs.Value);
        }

        // SP-3.2-d/e: seq and eof.
        [TestCase(",\"seq\":0,\"eof\":true", true, "")]
        [TestCase(",\"seq\":4294967295,\"eof\":false", true, "")]
        [TestCase(",\"seq\":4294967296,\"eof\":false", false, "SP-3.2-d")]
        [TestCase(",\"seq\":-1,\"eof\":false", false, "SP-3.2-d")]
        [TestCase(",\"seq\":1.0,\"eof\":false", false, "SP-3.2-d")]
        [TestCase(",\"seq\":\"1\",\"eof\":false", false, "SP-3.2-d")]
        [TestCase(",\"seq\":1,\"eof\":0", false, "SP-3.2-d")]
        [TestCase(",\"seq\":1,\"eof\":\"true\"", false, "SP-3.2-d")]
        [TestCase(",\"seq\":1", false, "SP-3.2-e")]
        [TestCase(",\"eof\":true", false, "SP-3.2-e")]
        public void SeqAndEof(string extra, bool valid, string rule)
        {
            Verdict v = Lines.Check(Lines.Query(extra));
            if (valid)
            {
                AssertValid(v, extra);
                Assert.IsTrue(v.Envelope.IsChunk);
            }
            else
            {
                AssertFault(v, Fault.BadSchema, rule, extra);
            }
        }

        // SP-3.3-a: unknown members kept, with a note.
        [Test]
        public void UnknownMembersAreKept()
        {
            Verdict v = Lines.Check(Lines.Query(",\"x-prio\":{\"a\":[1]},\"ID\":2"));
            AssertValid(v, "unknown members");
            Assert.AreEqual(Notes.UnknownMember, v.Notes);
            Assert.AreEqual("{\"a\":[1]}", v.Envelope.Root.Get("x-prio").ToCompact());
            Assert.AreEqual("2", v.Envelope.Root.Get("ID").ToCompact());
        }

        // SP-4-a/b/c: types and payloads.
        [TestCase("query")]
        [TestCase("response")]
        [TestCase("event")]
        [TestCase("heartbeat")]
        public void KnownTypes(string type)
        {
            AssertValid(Lines.Check(Lines.With("type", "\"" + type + "\"")), type);
        }

        [TestCase("Query")]
        [TestCase("ping")]
        [TestCase("")]
        public void UnknownTypeIs3000(string type)
        {
            AssertFault(Lines.Check(Lines.With("type", "\"" + type + "\"")), Fault.UnknownType, "SP-4-a", type);
        }

        [TestCase("query")]
        [TestCase("response")]
        [TestCase("event")]
        [TestCase("error")]
        public void PayloadRequired(string type)
        {
            string line = Lines.With("payload", null).Replace("\"query\"", "\"" + type + "\"");
            AssertFault(Lines.Check(line), Fault.BadSchema, "SP-4-b", type);
        }

        [Test]
        public void NullPayloadIsAPayload()
        {
            AssertValid(Lines.Check(Lines.With("payload", "null")), "null payload");
        }

        [Test]
        public void HeartbeatMayOmitPayload()
        {
            Verdict v = Lines.Check(Lines.With("payload", null).Replace("\"query\"", "\"heartbeat\""));
            AssertValid(v, "heartbeat");
            Assert.IsNull(v.Envelope.Payload);
        }

        // SP-4-d/e: error payloads.
        static string Error(string payload)
        {
            return Lines.With("payload", payload).Replace("\"query\"", "\"error\"");
        }

        [TestCase("{\"code\":1000,\"symbol\":\"BAD_SCHEMA\"}", Notes.None)]
        [TestCase("{\"code\":4200,\"symbol\":\"STREAM_TIMEOUT\",\"detail\":\"late\",\"extra\":1}", Notes.None)]
        [TestCase("{\"code\":7777,\"symbol\":\"WHATEVER\"}", Notes.UnknownFaultCode)]
        [TestCase("{\"code\":0,\"symbol\":\"\"}", Notes.UnknownFaultCode)]
        [TestCase("{\"code\":2147483647,\"symbol\":\"X\"}", Notes.UnknownFaultCode)]
        public void ErrorPayloadValid(string payload, Notes notes)
        {
            Verdict v = Lines.Check(Error(payload));
            AssertValid(v, payload);
            Assert.AreEqual(notes, v.Notes, payload);
        }

        [TestCase("\"BAD_SCHEMA\"", "SP-4-d")]
        [TestCase("null", "SP-4-d")]
        [TestCase("{\"symbol\":\"BAD_SCHEMA\"}", "SP-4-d")]
        [TestCase("{\"code\":1000}", "SP-4-d")]
        [TestCase("{\"code\":\"1000\",\"symbol\":\"BAD_SCHEMA\"}", "SP-4-d")]
        [TestCase("{\"code\":1000.0,\"symbol\":\"BAD_SCHEMA\"}", "SP-4-d")]
        [TestCase("{\"code\":-1,\"symbol\":\"X\"}", "SP-4-d")]
        [TestCase("{\"code\":2147483648,\"symbol\":\"X\"}", "SP-4-d")]
        [TestCase("{\"code\":1000,\"symbol\":5}", "SP-4-d")]
        [TestCase("{\"code\":1000,\"symbol\":\"BAD_SCHEMA\",\"detail\":1}", "SP-4-d")]
        [TestCase("{\"code\":1000,\"symbol\":\"bad_schema\"}", "SP-4-e")]
        [TestCase("{\"code\":1001,\"symbol\":\"BAD_SCHEMA\"}", "SP-4-e")]
        public void ErrorPayloadFaults(string payload, string rule)
        {
            AssertFault(Lines.Check(Error(payload)), Fault.BadSchema, rule, payload);
        }

        // SP-6: allow-list.
        [TestCase("\"to\":\"rag_server\"", true)]
        [TestCase("\"to\":\"*\"", true)]
        [TestCase(null, true)]
        [TestCase("\"to\":\"billing\"", false)]
        [TestCase("\"to\":\"RAG_SERVER\"", false)]
        public void AllowList(string to, bool allowed)
        {
            AllowList allow = Splinter.Core.AllowList.FromJson(
                Parse("{\"chat\":[\"rag_server\",\"*\"]}"));
            string line = Lines.With("to", to == null ? null : to.Substring(5));
            Verdict v = Lines.Check(line, allow);
            if (allowed)
                AssertValid(v, line);
            else
                AssertFault(v, Fault.NotAuthorized, "SP-6-b", line);
        }

        [Test]
        public void StarInAListIsNoWildcardAndUnlistedSendersMayNotSend()
        {
            AllowList allow = new AllowList().Allow("chat", "*");
            AssertFault(Lines.Check(Lines.Query(), allow), Fault.NotAuthorized, "SP-6-b", "to rag_server with only *");
            AssertValid(Lines.Check(Lines.With("to", null), allow), "broadcast");
            AllowList other = new AllowList().Allow("ops", "rag_server");
            AssertFault(Lines.Check(Lines.Query(), other), Fault.NotAuthorized, "SP-6-b", "sender without entry");
            AssertValid(Lines.Check(Lines.Query(), null), "no list: everything allowed");
        }

        [Test]
        public void AllowListAppliesToHeartbeats()
        {
            string hb = Lines.With("payload", null).Replace("\"query\"", "\"heartbeat\"");
            AssertFault(Lines.Check(hb, new AllowList()), Fault.NotAuthorized, "SP-6-b", "heartbeat");
        }

        [TestCase("[]")]
        [TestCase("{\"chat\":\"rag_server\"}")]
        [TestCase("{\"chat\":[1]}")]
        public void AllowListShape(string json)
        {
            byte[] b = Lines.Bytes(json);
            Assert.Throws<System.ArgumentException>(() => Splinter.Core.AllowList.FromJson(StrictJson.Parse(b, 0, b.Length)));
        }

        // SP-5.1: TTL, equal is on time, nanoseconds count.
        [TestCase("1000", "2026-01-01T00:00:01Z", true)]
        [TestCase("1000", "2026-01-01T00:00:01.000000001Z", false)]
        [TestCase("0", "2026-01-01T00:00:00Z", true)]
        [TestCase("0", "2026-01-01T00:00:00.000000001Z", false)]
        [TestCase(null, "2999-01-01T00:00:00Z", true)]
        [TestCase("1", "2025-01-01T00:00:00Z", true)]
        public void TimeToLive(string ttl, string now, bool onTime)
        {
            Verdict v = Lines.Check(Lines.With("ttl_ms", ttl), null, now);
            if (onTime)
                AssertValid(v, ttl + " at " + now);
            else
                AssertFault(v, Fault.TtlExpired, "SP-5.1-a", ttl + " at " + now);
        }

        // SP-7-a: the first failing stage wins.
        [Test]
        public void CheckOrder()
        {
            AllowList none = new AllowList();
            const string late = "2027-01-01T00:00:00Z";
            // 1000 envelope before 3000: unknown type and a bad ts.
            AssertFault(Lines.Check(Lines.With("type", "\"nope\"").Replace(Lines.Ts, "2026-02-30T00:00:00Z"), none, late),
                        Fault.BadSchema, "SP-5-d", "1000 before 3000");
            // 3000 before the missing payload.
            AssertFault(Lines.Check(Lines.With("payload", null).Replace("\"query\"", "\"nope\""), none, late),
                        Fault.UnknownType, "SP-4-a", "3000 before payload 1000");
            // payload 1000 before 2000.
            AssertFault(Lines.Check(Error("{\"code\":1000}"), none, late),
                        Fault.BadSchema, "SP-4-d", "payload 1000 before 2000");
            // 2000 before 1001.
            AssertFault(Lines.Check(Lines.With("ttl_ms", "1"), none, late), Fault.NotAuthorized, "SP-6-b", "2000 before 1001");
            // 1001 last.
            AssertFault(Lines.Check(Lines.With("ttl_ms", "1"), null, late), Fault.TtlExpired, "SP-5.1-a", "1001");
        }

        // SP-7-b: inside stage 1, length before UTF-8 before syntax before duplicates before members.
        [Test]
        public void OrderInsideTheEnvelopeStage()
        {
            byte[] badUtf8AndSyntax = Concat(Lines.Bytes("{\"a\":\""), Lines.Hex("ff"), Lines.Bytes("\",}"));
            AssertFault(Lines.Check(badUtf8AndSyntax), Fault.BadSchema, "SP-2-b", "UTF-8 before syntax");
            AssertFault(Lines.Check("{\"a\":1,\"a\":2,}"), Fault.BadSchema, "SP-2-c", "syntax before duplicates");
            AssertFault(Lines.Check("{\"a\":1,\"a\":2}"), Fault.BadSchema, "SP-2-d", "duplicates before members");
            AssertFault(Lines.Check(Lines.With("ts", "1").Replace("\"chat\"", "\"\"")), Fault.BadSchema, "SP-3.1-d", "ts before from");
            AssertFault(Lines.Check(Lines.With("id", "1").Replace(",\"ts\":\"" + Lines.Ts + "\"", "")), Fault.BadSchema, "SP-3.1-a", "presence before id");
        }

        // SP-9.3-a: notes never fault, several at once.
        [Test]
        public void NotesTogether()
        {
            Verdict v = Lines.Check(Error("{\"code\":9,\"symbol\":\"NINE\"}").Replace("\"" + Lines.Uuid7 + "\"", "\"e1\"").Replace("}}", "},\"zz\":0}"));
            AssertValid(v, "notes");
            Assert.AreEqual(Notes.IdNotUuidV7 | Notes.UnknownFaultCode | Notes.UnknownMember, v.Notes);
        }

        [Test]
        public void NeverThrowsOnRandomBytes()
        {
            var rng = new System.Random(12);
            byte[] seed = Lines.Bytes(Lines.Query(",\"seq\":1,\"eof\":false,\"ttl_ms\":5"));
            for (int i = 0; i < 3000; i++)
            {
                byte[] b = (byte[])seed.Clone();
                int edits = rng.Next(1, 4);
                for (int k = 0; k < edits; k++)
                    b[rng.Next(b.Length)] = (byte)rng.Next(256);
                int len = rng.Next(b.Length + 1);
                Verdict v = EnvelopeValidator.Validate(b, 0, len, new AllowList(), new SpTime(0, 0));
                Assert.IsNotNull(v);
            }
        }

        static JsonValue Parse(string json)
        {
            byte[] b = Lines.Bytes(json);
            return StrictJson.Parse(b, 0, b.Length);
        }

        static byte[] Concat(params byte[][] parts)
        {
            int n = 0;
            foreach (byte[] p in parts)
                n += p.Length;
            var r = new byte[n];
            int at = 0;
            foreach (byte[] p in parts)
            {
                System.Buffer.BlockCopy(p, 0, r, at, p.Length);
                at += p.Length;
            }
            return r;
        }
    }
}
