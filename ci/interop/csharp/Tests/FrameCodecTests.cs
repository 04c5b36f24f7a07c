using System;
using System.Collections.Generic;
using NUnit.Framework;

namespace TamTam.Core.Tests
{
    /// <summary>The codec against spec sections 2-10 and the worked examples of 12.2 and 12.6.</summary>
    [TestFixture]
    public class FrameCodecTests
    {
        static readonly FrameCodec Smbus = new FrameCodec();

        // Example 1 of 12.6: 22 bytes.
        static byte[] Example1()
        {
            return Bytes.Concat(Bytes.Hex("20 10 07 10 00 03 01 02 03"), Bytes.Zeros(13));
        }

        // Example 2 of 12.6: 24 bytes.
        static byte[] Example2()
        {
            return Bytes.Concat(Bytes.Hex("20 18 07 12 34 07 00 03 01 02 03"), Bytes.Zeros(13));
        }

        static Frame Example1Frame()
        {
            return new Frame
            {
                Class = FrameClass.Data,
                Direction = FrameDirection.Request,
                SizeId = 1,
                ChannelId = 7,
                Payload = new byte[] { 1, 2, 3 },
            };
        }

        // The table of 7.2: SizeId; block (BigMode 0), block (BigMode 1); frame length local 0, local 1,
        // roaming 0, roaming 1.
        [TestCase(0, 0, 0, 6, 6, 8, 8)]
        [TestCase(1, 16, 32, 22, 38, 24, 40)]
        [TestCase(2, 32, 64, 38, 70, 40, 72)]
        [TestCase(3, 64, 128, 70, 134, 72, 136)]
        [TestCase(4, 96, 192, 102, 198, 104, 200)]
        [TestCase(5, 128, 256, 134, 262, 136, 264)]
        [TestCase(6, 192, 384, 198, 390, 200, 392)]
        [TestCase(7, 256, 512, 262, 518, 264, 520)]
        [TestCase(8, 384, 768, 390, 774, 392, 776)]
        [TestCase(9, 512, 1024, 518, 1030, 520, 1032)]
        [TestCase(10, 768, 1536, 774, 1542, 776, 1544)]
        [TestCase(11, 1024, 2048, 1030, 2054, 1032, 2056)]
        [TestCase(12, 1536, 3072, 1542, 3078, 1544, 3080)]
        [TestCase(13, 2048, 4096, 2054, 4102, 2056, 4104)]
        [TestCase(14, 3072, 6144, 3078, 6150, 3080, 6152)]
        [TestCase(15, 4096, 8192, 4102, 8198, 4104, 8200)]
        public void BlockSizesAndFrameLengthsOfSection72(int id, int block, int bigBlock, int local, int localBig,
                                                         int roaming, int roamingBig)
        {
            Assert.AreEqual(block, FrameLayout.BlockSize(id, false), "block");
            Assert.AreEqual(bigBlock, FrameLayout.BlockSize(id, true), "big block");
            Assert.AreEqual(local, FrameLayout.FrameLength(false, id, false), "local");
            Assert.AreEqual(localBig, FrameLayout.FrameLength(false, id, true), "local big");
            Assert.AreEqual(roaming, FrameLayout.FrameLength(true, id, false), "roaming");
            Assert.AreEqual(roamingBig, FrameLayout.FrameLength(true, id, true), "roaming big");
            // From header byte 1 alone (CF-2-b); Ack and Priority change nothing.
            Assert.AreEqual(roamingBig, FrameLayout.FrameLength((byte)((id << 4) | 0x0F)), "from byte 1");
            Assert.AreEqual(local, FrameLayout.FrameLength((byte)((id << 4) | 0x06)), "from byte 1, ack+prio");
        }

        [Test]
        public void DecodesExample1()
        {
            DecodeResult r = Smbus.Decode(Example1());
            Assert.AreEqual(FrameError.None, r.Error, "verdict");
            Assert.AreEqual(22, r.Length, "consumed");
            Frame f = r.Frame;
            Assert.AreEqual(FrameClass.Data, f.Class, "class");
            Assert.AreEqual(FrameDirection.Request, f.Direction, "direction");
            Assert.AreEqual(1, f.SizeId, "size id");
            Assert.IsTrue(!f.BigMode && !f.AckRequested && !f.Priority && !f.HasExt, "no flags");
            Assert.AreEqual((byte)7, f.ChannelId, "channel");
            Assert.AreEqual((ushort?)null, f.DestOrchestratorId, "no destination (CF-4-b)");
            Assert.AreEqual((byte)0x10, f.Crc, "crc");
            Assert.AreEqual(3, f.UsedLen, "used len");
            Assert.AreEqual(new byte[] { 1, 2, 3 }, f.Payload, "payload, padding not delivered");
        }

        [Test]
        public void DecodesExample2()
        {
            DecodeResult r = Smbus.Decode(Example2());
            Assert.AreEqual(FrameError.None, r.Error, "verdict");
            Assert.AreEqual(24, r.Length, "consumed");
            Assert.IsTrue(r.Frame.HasExt, "roaming");
            Assert.AreEqual((ushort?)0x1234, r.Frame.DestOrchestratorId, "destination, big-endian");
            Assert.AreEqual((byte)0x07, r.Frame.Crc, "crc");
            Assert.AreEqual(new byte[] { 1, 2, 3 }, r.Frame.Payload, "payload");
        }

        // CF-12.1-c and the note after it: a frame under the zero-init, zero-xorout variants only.
        [TestCase("CRC-8/SMBUS", true)]
        [TestCase("CRC-8/MAXIM-DOW", true)]
        [TestCase("CRC-8/I-432-1", false)]
        [TestCase("CRC-8/AUTOSAR", false)]
        [TestCase("CRC-8/SAE-J1850", false)]
        [TestCase("CRC-8/ROHC", false)]
        [TestCase("CRC-8/CDMA2000", false)]
        [TestCase("CRC-8/BLUETOOTH", true)]
        public void SixZeroBytesAreAFrameOnlyUnderZeroInitVariants(string variant, bool zeroFrame)
        {
            DecodeResult r = new FrameCodec(Crc8.FromName(variant)).Decode(new byte[6]);
            Assert.AreEqual(zeroFrame ? FrameError.None : FrameError.CrcMismatch, r.Error, "verdict");
            if (zeroFrame)
            {
                Assert.AreEqual(FrameClass.System, r.Frame.Class, "class");
                Assert.AreEqual(0, r.Frame.UsedLen, "used len");
                Assert.AreEqual(6, r.Length, "length");
            }
        }

        // The check-order table of 12.2 (CF-12.2-b): buffer, verdict; first failing check wins.
        static IEnumerable<TestCaseData> CheckOrderRows()
        {
            byte[] ex1 = Example1();
            yield return Row(Bytes.Hex("20"), FrameError.Truncated, "one byte");
            yield return Row(new byte[0], FrameError.Truncated, "no byte");
            yield return Row(Bytes.Hex("20 10 07 10 00"), FrameError.Truncated, "5 of 6 fixed bytes");
            yield return Row(Bytes.Hex("20 18 07 12 34 07 00"), FrameError.Truncated, "7 of 8 fixed bytes, HasExt");
            yield return Row(Bytes.Hex("20 10 07 00 00 11"), FrameError.UsedLenExceedsBlock,
                             "UsedLen 17 > 16, block missing too");
            yield return Row(Bytes.Hex("00 00 00 00 00 01"), FrameError.UsedLenExceedsBlock, "SizeId 0, UsedLen 1");
            yield return Row(Sub(ex1, 21), FrameError.Truncated, "example 1 without its last byte");
            yield return Row(With(ex1, 3, 0x11), FrameError.CrcMismatch, "integrity byte 0x11");
            yield return Row(With(ex1, 7, 0xFF), FrameError.CrcMismatch, "payload byte changed");
            yield return Row(With(ex1, 21, 0xFF), FrameError.None, "padding byte changed (CF-5.2-b, CF-8-b)");
            // A bad UsedLen outranks a bad CRC; a short buffer outranks a bad CRC.
            yield return Row(Bytes.Concat(Bytes.Hex("20 10 07 99 00 11"), Bytes.Zeros(16)),
                             FrameError.UsedLenExceedsBlock, "UsedLen and CRC both wrong");
            yield return Row(Sub(With(ex1, 3, 0x11), 21), FrameError.Truncated, "short and CRC wrong");
        }

        static TestCaseData Row(byte[] buffer, FrameError expected, string what)
        {
            return new TestCaseData(buffer, expected, what).SetName("CheckOrderOfSection122(" + what + ")");
        }

        [TestCaseSource("CheckOrderRows")]
        public void CheckOrderOfSection122(byte[] buffer, FrameError expected, string what)
        {
            Assert.AreEqual(expected, Smbus.Decode(buffer).Error, what);
        }

        [Test]
        public void TrailingBytesDoNotCount()
        {
            DecodeResult r = Smbus.Decode(Bytes.Concat(Example1(), Bytes.Hex("AA BB")));
            Assert.AreEqual(FrameError.None, r.Error, "trailing bytes do not count (CF-12.2-c)");
            Assert.AreEqual(22, r.Length, "22 bytes consumed of 24");
        }

        [Test]
        public void DecodeHonoursOffsetAndCount()
        {
            byte[] buf = Bytes.Concat(Bytes.Hex("FF FF FF"), Example1());
            DecodeResult r = Smbus.Decode(buf, 3, 22);
            Assert.AreEqual(FrameError.None, r.Error, "frame at offset 3");
            Assert.AreEqual(FrameError.Truncated, Smbus.Decode(buf, 3, 21).Error, "count stops short of the frame");
        }

        [Test]
        public void UnassignedAndReservedValuesDecode()
        {
            // CF-3.1-b/c, CF-3.3-a, CF-10-a: class 0xF, direction 0x9, every flag, channel 255.
            var f = new Frame
            {
                Class = (FrameClass)0xF,
                Direction = (FrameDirection)0x9,
                SizeId = 2,
                BigMode = true,
                AckRequested = true,
                Priority = true,
                HasExt = true,
                ChannelId = 255,
                DestOrchestratorId = 0xFFFF,
                Payload = new byte[] { 0xFF, 0x00, 0x80 },
            };
            byte[] wire = Smbus.Encode(f);
            Assert.AreEqual((byte)0xF9, wire[0], "byte 0: class high nibble, direction low");
            Assert.AreEqual((byte)0x2F, wire[1], "byte 1: SizeId high nibble, four flags");
            Assert.AreEqual(8 + 64, wire.Length, "roaming, block 32 doubled");
            DecodeResult r = Smbus.Decode(wire);
            Assert.AreEqual(FrameError.None, r.Error, "decodes");
            Assert.AreEqual((FrameClass)0xF, r.Frame.Class, "class");
            Assert.AreEqual((FrameDirection)0x9, r.Frame.Direction, "direction");
            Assert.IsTrue(r.Frame.BigMode && r.Frame.AckRequested && r.Frame.Priority && r.Frame.HasExt, "flags");
            Assert.AreEqual((byte)255, r.Frame.ChannelId, "channel");
            Assert.AreEqual((ushort?)0xFFFF, r.Frame.DestOrchestratorId, "destination");
        }

        // CF-3.2-b: mask 0x01 BigMode, 0x02 AckRequested, 0x04 Priority, 0x08 HasExt.
        [Test]
        public void FlagBitsAreIndependent([Range(0, 15)] int flags)
        {
            var f = new Frame
            {
                SizeId = 1,
                BigMode = (flags & 1) != 0,
                AckRequested = (flags & 2) != 0,
                Priority = (flags & 4) != 0,
                HasExt = (flags & 8) != 0,
                DestOrchestratorId = (flags & 8) != 0 ? (ushort?)0x0102 : null,
            };
            byte[] wire = Smbus.Encode(f);
            Assert.AreEqual((byte)(0x10 | flags), wire[1], "byte 1 for flags " + flags);
            Frame back = Smbus.Decode(wire).Frame;
            Assert.IsNotNull(back, "flags " + flags + " decode (CF-10-a)");
            Assert.AreEqual(f.BigMode, back.BigMode, "BigMode");
            Assert.AreEqual(f.AckRequested, back.AckRequested, "AckRequested (CF-9-a)");
            Assert.AreEqual(f.Priority, back.Priority, "Priority");
            Assert.AreEqual(f.HasExt, back.HasExt, "HasExt");
        }

        [Test]
        public void EncodesExamples()
        {
            Assert.AreEqual(Example1(), Smbus.Encode(Example1Frame()), "example 1");
            Frame f2 = Example1Frame();
            f2.HasExt = true;
            f2.DestOrchestratorId = 0x1234;
            Assert.AreEqual(Example2(), Smbus.Encode(f2), "example 2");
            Assert.AreEqual((byte)0x07, f2.Crc, "encoder reports the integrity byte");
            Assert.AreEqual(new byte[6], Smbus.Encode(new Frame()), "example 3, smallest frame");
        }

        [Test]
        public void EncoderIgnoresDestinationOfLocalFrame()
        {
            // The extension is written exactly when HasExt is 1 (12.4).
            Frame f = Example1Frame();
            f.DestOrchestratorId = 0x1234;
            Assert.AreEqual(Example1(), Smbus.Encode(f), "local frame with a stray destination");
        }

        [Test]
        public void EncoderZeroesPaddingAndRefusesOversizePayload()
        {
            Frame f = Example1Frame();
            f.Payload = new byte[16];
            for (int i = 0; i < 16; i++)
                f.Payload[i] = 0xEE;
            byte[] full = Smbus.Encode(f);
            Assert.AreEqual(22, full.Length, "UsedLen equal to the block: no padding");
            f.Payload = new byte[] { 0xEE };
            byte[] one = Smbus.Encode(f);
            for (int i = 7; i < 22; i++)
                Assert.AreEqual((byte)0, one[i], "padding byte " + i);

            f.Payload = new byte[17];
            FrameException e = Assert.Throws<FrameException>(() => Smbus.Encode(f), "17 bytes into 16");
            Assert.AreEqual(FrameError.UsedLenExceedsBlock, e.Error, "error");
            Assert.AreEqual("used_len_exceeds_block", e.Error.WireName(), "pinned name");
            var empty = new Frame { Payload = new byte[1] };
            Assert.AreEqual(FrameError.UsedLenExceedsBlock,
                         Assert.Throws<FrameException>(() => Smbus.Encode(empty), "SizeId 0 with 1 byte").Error,
                         "SizeId 0 allows only UsedLen 0 (CF-7.1-b)");
            var roaming = new Frame { HasExt = true };
            Assert.Throws<ArgumentException>(() => Smbus.Encode(roaming), "roaming frame without destination");
            var big = new Frame { SizeId = 16 };
            Assert.Throws<ArgumentOutOfRangeException>(() => Smbus.Encode(big), "SizeId 16");
        }

        [Test]
        public void LargestFrame()
        {
            var f = new Frame { SizeId = 15, BigMode = true, HasExt = true, DestOrchestratorId = 1, Payload = new byte[8192] };
            for (int i = 0; i < f.Payload.Length; i++)
                f.Payload[i] = (byte)(i * 7);
            byte[] wire = Smbus.Encode(f);
            Assert.AreEqual(8200, wire.Length, "8200 bytes (CF-2-b, CF-7.2-a)");
            Assert.AreEqual((byte)0x20, wire[6], "UsedLen 8192 high byte");
            Assert.AreEqual((byte)0x00, wire[7], "UsedLen 8192 low byte");
            DecodeResult r = Smbus.Decode(wire);
            Assert.AreEqual(FrameError.None, r.Error, "decodes");
            Assert.AreEqual(f.Payload, r.Frame.Payload, "payload");
        }

        [Test]
        public void RoundTripsUnderEveryVariant()
        {
            var rng = new Random(6);
            foreach (Crc8 c in Crc8.All)
            {
                var codec = new FrameCodec(c);
                for (int n = 0; n < 300; n++)
                {
                    var f = new Frame
                    {
                        Class = (FrameClass)rng.Next(16),
                        Direction = (FrameDirection)rng.Next(16),
                        SizeId = rng.Next(16),
                        BigMode = rng.Next(2) == 1,
                        AckRequested = rng.Next(2) == 1,
                        Priority = rng.Next(2) == 1,
                        HasExt = rng.Next(2) == 1,
                        ChannelId = (byte)rng.Next(256),
                    };
                    if (f.HasExt)
                        f.DestOrchestratorId = (ushort)rng.Next(65536);
                    f.Payload = new byte[rng.Next(f.BlockSize + 1)];
                    rng.NextBytes(f.Payload);
                    byte[] wire = codec.Encode(f);
                    Assert.AreEqual(f.Length, wire.Length, "length");
                    DecodeResult r = codec.Decode(wire);
                    Assert.AreEqual(FrameError.None, r.Error, c.Name + " round trip " + n);
                    Frame b = r.Frame;
                    Assert.IsTrue(b.Class == f.Class && b.Direction == f.Direction && b.SizeId == f.SizeId &&
                                b.BigMode == f.BigMode && b.AckRequested == f.AckRequested &&
                                b.Priority == f.Priority && b.HasExt == f.HasExt && b.ChannelId == f.ChannelId &&
                                b.DestOrchestratorId == f.DestOrchestratorId && b.Crc == f.Crc,
                                c.Name + " fields survive, round trip " + n);
                    Assert.AreEqual(f.Payload, b.Payload, c.Name + " payload");
                }
            }
        }

        [Test]
        public void NeverThrowsOnAnyBytes()
        {
            // CF-5.3-b: every prefix of every example, and random buffers, get a verdict.
            var rng = new Random(11);
            foreach (byte[] frame in new[] { Example1(), Example2(), new byte[6] })
                for (int n = 0; n <= frame.Length; n++)
                    Smbus.Decode(frame, 0, n);
            for (int n = 0; n < 5000; n++)
            {
                var buf = new byte[rng.Next(0, 300)];
                rng.NextBytes(buf);
                DecodeResult r = Smbus.Decode(buf);
                Assert.IsTrue(r.IsValid == (r.Frame != null), "a frame exactly when valid");
                if (r.IsValid)
                    Assert.LessOrEqual(r.Length, buf.Length, "never consumes more than given");
            }
        }

        static byte[] Sub(byte[] b, int n)
        {
            var r = new byte[n];
            Array.Copy(b, r, n);
            return r;
        }

        static byte[] With(byte[] b, int at, byte value)
        {
            var r = (byte[])b.Clone();
            r[at] = value;
            return r;
        }
    }
}
