using System;
using System.Collections.Generic;
using NUnit.Framework;
using Splinter.Core;

namespace Splinter.Core.Tests
{
    /// <summary>The reassembler against spec section 8.</summary>
    [TestFixture]
    public class StreamReassemblerTests
    {
        static readonly SpTime T0 = Lines.Time(Lines.Ts);

        static Envelope Env(string line)
        {
            Verdict v = Lines.Check(line);
            Assert.IsTrue(v.IsValid, line + ": " + v);
            return v.Envelope;
        }

        /// <summary>Feeds chunks arriving at T0; returns delivered payloads and per-chunk verdicts ("ok", "dup", "1000 SP-8-f", ...).</summary>
        static string Feed(StreamReassembler rx, IList<string> verdicts, params string[] lines)
        {
            var delivered = new List<string>();
            foreach (string l in lines)
            {
                ChunkResult r = rx.Push(Env(l), T0);
                foreach (JsonValue p in r.Delivered)
                    delivered.Add(p.ToCompact());
                verdicts.Add(r.Fault != Fault.None ? (int)r.Fault + " " + r.Rule
                             : (r.Notes & Notes.DuplicateChunk) != 0 ? "dup" : "ok");
            }
            return string.Join(",", delivered);
        }

        [Test]
        public void InOrder()
        {
            var rx = new StreamReassembler();
            var v = new List<string>();
            Assert.AreEqual("0,1,2", Feed(rx, v, Lines.Chunk(0, false, "0"), Lines.Chunk(1, false, "1"), Lines.Chunk(2, true, "2")));
            CollectionAssert.AreEqual(new[] { "ok", "ok", "ok" }, v);
            Assert.IsTrue(rx.IsComplete("chat", "s1"));
        }

        [Test]
        public void OneChunkStream()
        {
            var rx = new StreamReassembler();
            Assert.AreEqual("{\"a\":1}", Feed(rx, new List<string>(), Lines.Chunk(0, true, "{\"a\":1}")));
            Assert.IsTrue(rx.IsComplete("chat", "s1"));
        }

        [Test]
        public void ReorderedWithinTheWindowIsDeliveredInOrder()
        {
            var rx = new StreamReassembler();
            var v = new List<string>();
            string got = Feed(rx, v, Lines.Chunk(2, true, "2"), Lines.Chunk(1, false, "1"));
            Assert.AreEqual("", got, "nothing before seq 0");
            Assert.IsFalse(rx.IsComplete("chat", "s1"));
            Assert.AreEqual("0,1,2", Feed(rx, v, Lines.Chunk(0, false, "0")));
            Assert.IsTrue(rx.IsComplete("chat", "s1"));
        }

        [Test]
        public void WindowEdges()
        {
            var rx = new StreamReassembler();
            var v = new List<string>();
            Feed(rx, v, Lines.Chunk(63, false, "63"), Lines.Chunk(64, false, "64"));
            CollectionAssert.AreEqual(new[] { "ok", "1000 SP-8-f" }, v, "base 0: 63 is in the window, 64 past it");
            v.Clear();
            Feed(rx, v, Lines.Chunk(0, false, "0"), Lines.Chunk(64, false, "64"));
            CollectionAssert.AreEqual(new[] { "ok", "ok" }, v, "base 1 after seq 0: 64 is in the window");
        }

        [Test]
        public void DuplicatesHeldAndDelivered()
        {
            var rx = new StreamReassembler();
            var v = new List<string>();
            string got = Feed(rx, v,
                Lines.Chunk(0, false, "{\"a\":1}"),
                Lines.Chunk(0, false, "{ \"a\" : 1 }"),   // identical as compact JSON, already delivered
                Lines.Chunk(2, false, "2"),
                Lines.Chunk(2, false, "2"),               // identical, held
                Lines.Chunk(2, false, "3"),               // different payload, held
                Lines.Chunk(0, false, "{\"a\":2}"),       // different payload, delivered
                Lines.Chunk(0, true, "{\"a\":1}"),        // different eof, delivered
                Lines.Chunk(2, true, "2"),                // different eof, held
                Lines.Chunk(1, false, "1"));
            Assert.AreEqual("{\"a\":1},1,2", got, "each payload once");
            CollectionAssert.AreEqual(new[] { "ok", "dup", "ok", "dup", "1000 SP-8-f", "1000 SP-8-f", "1000 SP-8-f", "1000 SP-8-f", "ok" }, v);
        }

        [Test]
        public void MemberOrderOfAPayloadCounts()
        {
            var rx = new StreamReassembler();
            var v = new List<string>();
            Feed(rx, v, Lines.Chunk(1, false, "{\"a\":1,\"b\":2}"), Lines.Chunk(1, false, "{\"b\":2,\"a\":1}"));
            CollectionAssert.AreEqual(new[] { "ok", "1000 SP-8-f" }, v);
        }

        [Test]
        public void AfterEof()
        {
            var rx = new StreamReassembler();
            var v = new List<string>();
            Feed(rx, v, Lines.Chunk(2, true, "2"), Lines.Chunk(3, false, "3"), Lines.Chunk(1, true, "1"), Lines.Chunk(0, false, "0"));
            CollectionAssert.AreEqual(new[] { "ok", "1000 SP-8-f", "1000 SP-8-f", "ok" }, v, "chunk after eof, second eof");
            var v2 = new List<string>();
            Feed(rx, v2, Lines.Chunk(1, false, "1"), Lines.Chunk(0, false, "0"));
            CollectionAssert.AreEqual(new[] { "ok", "1000 SP-8-f" }, v2, "stream complete after 1: late chunk");
            Assert.IsTrue(rx.IsComplete("chat", "s1"));
        }

        [Test]
        public void EofBelowAHeldSeq()
        {
            var rx = new StreamReassembler();
            var v = new List<string>();
            Feed(rx, v, Lines.Chunk(5, false, "5"), Lines.Chunk(3, true, "3"));
            CollectionAssert.AreEqual(new[] { "ok", "1000 SP-8-f" }, v);
        }

        [Test]
        public void BelowTheWindowCannotBeCompared()
        {
            var rx = new StreamReassembler();
            var lines = new List<string>();
            for (uint s = 0; s < 70; s++)
                lines.Add(Lines.Chunk(s, false, s.ToString()));
            var v = new List<string>();
            Feed(rx, v, lines.ToArray());
            v.Clear();
            // base is 70: seq 6 = base - 64 is still remembered, seq 5 is not.
            Feed(rx, v, Lines.Chunk(6, false, "6"), Lines.Chunk(5, false, "5"));
            CollectionAssert.AreEqual(new[] { "dup", "1000 SP-8-f" }, v);
        }

        [Test]
        public void TypeChangeIsAChunkFault()
        {
            var rx = new StreamReassembler();
            var v = new List<string>();
            Feed(rx, v, Lines.Chunk(0, false, "0"), Lines.Chunk(1, false, "1", type: "event"), Lines.Chunk(1, true, "1"));
            CollectionAssert.AreEqual(new[] { "ok", "1000 SP-8-a", "ok" }, v);
        }

        [Test]
        public void StreamsAreKeyedByFromAndId()
        {
            var rx = new StreamReassembler();
            var v = new List<string>();
            Feed(rx, v, Lines.Chunk(0, false, "0", id: "a"), Lines.Chunk(0, false, "0", id: "b"),
                 Lines.Chunk(0, false, "0", id: "a").Replace("\"chat\"", "\"other\""));
            CollectionAssert.AreEqual(new[] { "ok", "ok", "ok" }, v);
            Assert.AreEqual(3, rx.StreamCount);
        }

        [Test]
        public void HeartbeatChunksWithoutPayloadCountAsNull()
        {
            var rx = new StreamReassembler();
            string hb0 = "{\"id\":\"h\",\"ts\":\"" + Lines.Ts + "\",\"from\":\"chat\",\"type\":\"heartbeat\",\"seq\":0,\"eof\":false}";
            string hb1 = "{\"id\":\"h\",\"ts\":\"" + Lines.Ts + "\",\"from\":\"chat\",\"type\":\"heartbeat\",\"seq\":1,\"eof\":true}";
            Assert.AreEqual("null,null", Feed(rx, new List<string>(), hb0, hb1));
            Assert.IsTrue(rx.IsComplete("chat", "h"));
        }

        // SP-8-g: deadline from ts + ttl_ms of the opening chunk, equal is on time.
        [Test]
        public void TimeoutWithTtl()
        {
            var rx = new StreamReassembler();
            rx.Push(Env(Lines.Chunk(0, false, "0", extra: ",\"ttl_ms\":1000")), T0);
            Assert.AreEqual(0, rx.Expire(T0.AddMilliseconds(1000)).Count, "deadline equal: on time");
            List<ExpiredStream> gone = rx.Expire(new SpTime(T0.Seconds + 1, 1));
            Assert.AreEqual(1, gone.Count, "1 ns late");
            Assert.AreEqual("s1", gone[0].Id);
            Assert.AreEqual("chat", gone[0].From);
            Assert.AreEqual(1UL, gone[0].NextSeq);
            Assert.IsFalse(gone[0].EofSeen);
            Assert.AreEqual(0, rx.StreamCount, "memory freed");
        }

        [Test]
        public void TimeoutWithoutTtlIs30SecondsFromArrival()
        {
            var rx = new StreamReassembler();
            SpTime arrival = T0.AddMilliseconds(5000);
            rx.Push(Env(Lines.Chunk(1, true, "1")), arrival);
            Assert.AreEqual(0, rx.Expire(arrival.AddMilliseconds(30000)).Count);
            List<ExpiredStream> gone = rx.Expire(arrival.AddMilliseconds(30001));
            Assert.AreEqual(1, gone.Count);
            Assert.IsTrue(gone[0].EofSeen);
            Assert.AreEqual(0UL, gone[0].NextSeq);
        }

        [Test]
        public void CompleteStreamsAreForgottenSilentlyAtTheDeadlineThenANewStreamOpens()
        {
            var rx = new StreamReassembler();
            rx.Push(Env(Lines.Chunk(0, true, "0")), T0);
            ChunkResult late = rx.Push(Env(Lines.Chunk(0, true, "0")), T0);
            Assert.AreEqual(Fault.BadSchema, late.Fault, "remembered until the deadline (SP-8-i)");
            Assert.AreEqual(0, rx.Expire(T0.AddMilliseconds(30001)).Count, "complete: no 4200");
            Assert.AreEqual(0, rx.StreamCount);
            ChunkResult again = rx.Push(Env(Lines.Chunk(0, true, "0")), T0.AddMilliseconds(40000));
            Assert.AreEqual(Fault.None, again.Fault);
            Assert.AreEqual(1, again.Delivered.Count, "a new stream");
        }

        // SP-8-h: limits, 4100, the stream unchanged.
        [Test]
        public void StreamCountLimit()
        {
            var rx = new StreamReassembler(maxStreams: 2);
            Assert.AreEqual(Fault.None, rx.Push(Env(Lines.Chunk(1, false, "1", id: "a")), T0).Fault);
            Assert.AreEqual(Fault.None, rx.Push(Env(Lines.Chunk(1, false, "1", id: "b")), T0).Fault);
            ChunkResult r = rx.Push(Env(Lines.Chunk(1, false, "1", id: "c")), T0);
            Assert.AreEqual(Fault.Backpressure, r.Fault);
            Assert.AreEqual("SP-8-h", r.Rule);
            Assert.AreEqual(2, rx.StreamCount, "no stream opened by the refused chunk");
        }

        [Test]
        public void PerStreamAndTotalByteLimits()
        {
            var rx = new StreamReassembler(maxStreamBytes: 11, maxTotalBytes: 16);
            Assert.AreEqual(Fault.None, rx.Push(Env(Lines.Chunk(1, false, "\"12345678\"", id: "a")), T0).Fault, "10 bytes held");
            ChunkResult r = rx.Push(Env(Lines.Chunk(2, false, "12", id: "a")), T0);
            Assert.AreEqual(Fault.Backpressure, r.Fault, "12 bytes in one stream");
            Assert.AreEqual("SP-8-h", r.Rule);
            Assert.AreEqual(10L, rx.HeldBytes, "unchanged");
            Assert.AreEqual(Fault.None, rx.Push(Env(Lines.Chunk(1, false, "\"123\"", id: "b")), T0).Fault, "15 in all");
            Assert.AreEqual(Fault.Backpressure, rx.Push(Env(Lines.Chunk(2, false, "12", id: "b")), T0).Fault, "17 in all");
            // Seq 0 of a fits exactly (11 in a, 16 in all); delivering it and the held 1 frees their bytes.
            ChunkResult d = rx.Push(Env(Lines.Chunk(0, false, "0", id: "a")), T0);
            Assert.AreEqual(Fault.None, d.Fault);
            Assert.AreEqual(2, d.Delivered.Count);
            Assert.AreEqual(5L, rx.HeldBytes);
            Assert.AreEqual(Fault.None, rx.Push(Env(Lines.Chunk(2, false, "12", id: "b")), T0).Fault, "room again");
        }

        [Test]
        public void PushRejectsWholeMessages()
        {
            var rx = new StreamReassembler();
            Assert.Throws<ArgumentException>(() => rx.Push(Env(Lines.Query()), T0));
        }
    }
}
