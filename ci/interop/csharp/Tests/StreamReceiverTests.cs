using System;
using System.Collections.Generic;
using System.Text;
using NUnit.Framework;

namespace TamTam.Core.Tests
{
    /// <summary>The stream receiver against spec CF-12.3 and its example.</summary>
    [TestFixture]
    public class StreamReceiverTests
    {
        // The 52-byte stream of 12.3.
        static byte[] SpecStream()
        {
            return Bytes.Concat(Bytes.Zeros(6),
                                Bytes.Hex("20 10 07 11 00 03 01 02 03"), Bytes.Zeros(13),
                                Bytes.Hex("20 10 07 10 00 03 01 02 03"), Bytes.Zeros(13),
                                Bytes.Hex("20 10"));
        }

        /// <summary>Feeds <paramref name="data"/> cut at <paramref name="sizes"/>; returns events as "offset:verdict" and the pending count.</summary>
        static string Run(byte[] data, IEnumerable<int> sizes, Crc8 crc)
        {
            var rx = new StreamReceiver(new FrameCodec(crc));
            var sb = new StringBuilder();
            int at = 0;
            foreach (int size in sizes)
            {
                foreach (StreamEvent ev in rx.Push(data, at, size))
                {
                    Assert.IsTrue((ev.Frame != null) == (ev.Error == FrameError.None), "frame exactly when no error");
                    sb.Append(ev.Offset).Append(':').Append(ev.Frame != null ? "frame" : ev.Error.WireName()).Append(' ');
                }
                at += size;
            }
            Assert.AreEqual(data.Length, at, "test fed every byte");
            Assert.AreEqual((long)(data.Length - rx.Pending), rx.Position, "position + pending = bytes fed");
            return sb.Append("pending ").Append(rx.Pending).ToString();
        }

        static IEnumerable<int> Whole(byte[] d) { yield return d.Length; }

        static IEnumerable<int> OneByOne(byte[] d)
        {
            for (int i = 0; i < d.Length; i++)
                yield return 1;
        }

        static IEnumerable<int> SplitAt(byte[] d, int k)
        {
            yield return k;
            yield return d.Length - k;
        }

        static IEnumerable<int> RandomSplits(byte[] d, Random rng)
        {
            int left = d.Length;
            while (left > 0)
            {
                int n = Math.Min(left, rng.Next(0, 30));
                left -= n;
                yield return n;
            }
        }

        const string SpecVerdict = "0:frame 6:crc_mismatch 28:frame pending 2";

        [Test]
        public void SpecExampleAllAtOnce()
        {
            byte[] s = SpecStream();
            Assert.AreEqual(SpecVerdict, Run(s, Whole(s), Crc8.Smbus), "all at once");
        }

        [Test]
        public void SpecExampleOneByteAtATime()
        {
            byte[] s = SpecStream();
            Assert.AreEqual(SpecVerdict, Run(s, OneByOne(s), Crc8.Smbus), "one byte at a time");
        }

        [Test]
        public void SpecExampleSplitInTwo([Range(0, 52)] int k)
        {
            byte[] s = SpecStream();
            Assert.AreEqual(52, s.Length, "the stream of 12.3");
            Assert.AreEqual(SpecVerdict, Run(s, SplitAt(s, k), Crc8.Smbus), "split at " + k);
        }

        [Test]
        public void SpecExampleInRandomChunks()
        {
            byte[] s = SpecStream();
            var rng = new Random(52);
            for (int n = 0; n < 200; n++)
                Assert.AreEqual(SpecVerdict, Run(s, RandomSplits(s, rng), Crc8.Smbus), "random split " + n);
        }

        [Test]
        public void UsedLenErrorWaitsForTheWholeFrameThenSkipsIt()
        {
            // CF-12.3-b: judged only once all 22 bytes are there; CF-12.3-a: then
            // exactly 22 are skipped, and the next byte starts a frame.
            byte[] bad = Bytes.Concat(Bytes.Hex("20 10 07 00 00 11"), Bytes.Zeros(16));
            byte[] head = Bytes.Hex("20 10 07 00 00 11");
            Assert.AreEqual("pending 6", Run(head, Whole(head), Crc8.Smbus), "fixed fields only");
            byte[] s = Bytes.Concat(bad, Bytes.Zeros(6));
            Assert.AreEqual("0:used_len_exceeds_block 22:frame pending 0", Run(s, OneByOne(s), Crc8.Smbus), "skip and resync");
        }

        [Test]
        public void NoSearchingAfterADiscardedFrame()
        {
            // A discarded 22-byte frame whose block holds what looks like a frame:
            // the receiver must not find it (CF-12.3-a).
            byte[] inner = Bytes.Hex("20 10 07 10 00 03 01 02 03");
            byte[] s = Bytes.Concat(Bytes.Hex("20 10 07 00 00 10"), Bytes.Zeros(2), inner, Bytes.Zeros(5));
            Assert.AreEqual(22, s.Length, "one 22-byte frame");
            Assert.AreEqual("0:crc_mismatch pending 0", Run(s, Whole(s), Crc8.Smbus), "one event only");
        }

        [Test]
        public void LongestIncompleteFrameIsPendingNotAnError()
        {
            var f = new Frame { SizeId = 15, BigMode = true, HasExt = true, DestOrchestratorId = 9, Payload = new byte[100] };
            byte[] wire = new FrameCodec().Encode(f);
            var rx = new StreamReceiver();
            Assert.AreEqual(0, rx.Push(wire, 0, wire.Length - 1).Count, "no event before the last byte");
            Assert.AreEqual(8199, rx.Pending, "8199 pending (CF-12.3-b)");
            IList<StreamEvent> ev = rx.Push(wire, wire.Length - 1, 1);
            Assert.AreEqual(1, ev.Count, "one event on the last byte");
            Assert.IsNotNull(ev[0].Frame, "valid");
            Assert.AreEqual(0, rx.Pending, "nothing pending");
        }

        [Test]
        public void OffsetsCountFromTheFirstByteEverGiven()
        {
            var rx = new StreamReceiver();
            var zeros = new byte[6 * 1000];
            long expect = 0;
            for (int at = 0; at < zeros.Length; at += 7)
            {
                foreach (StreamEvent ev in rx.Push(zeros, at, Math.Min(7, zeros.Length - at)))
                {
                    Assert.AreEqual(expect, ev.Offset, "offset");
                    Assert.IsNotNull(ev.Frame, "6 zero bytes are a valid frame (CF-12.1-c)");
                    expect += 6;
                }
            }
            Assert.AreEqual(6000L, expect, "1000 frames");
        }

        [Test]
        public void RandomBytesInRandomChunks()
        {
            // CF-5.3-b, CF-12.3: any bytes, any split; events in order, each
            // frame judged once, memory bounded by one frame.
            var rng = new Random(8200);
            var data = new byte[200000];
            rng.NextBytes(data);
            var rx = new StreamReceiver();
            long last = -1;
            int at = 0;
            while (at < data.Length)
            {
                int n = Math.Min(data.Length - at, rng.Next(0, 3000));
                foreach (StreamEvent ev in rx.Push(data, at, n))
                {
                    Assert.Greater(ev.Offset, last, "offsets increase");
                    Assert.AreNotEqual(FrameError.Truncated, ev.Error, "truncated is never a stream event (CF-12.3-b)");
                    last = ev.Offset;
                }
                at += n;
                Assert.Less(rx.Pending, FrameLayout.MaxLength, "pending below one maximal frame");
            }
            Assert.AreEqual((long)data.Length, rx.Position + rx.Pending, "every byte judged or pending");
        }

        [Test]
        public void VariantDecidesWhatIsValid()
        {
            // Under ROHC the zero frame is a CRC mismatch, and still exactly 6 bytes are skipped.
            byte[] s = new byte[12];
            Assert.AreEqual("0:crc_mismatch 6:crc_mismatch pending 0", Run(s, OneByOne(s), Crc8.Rohc), "ROHC");
        }
    }
}
