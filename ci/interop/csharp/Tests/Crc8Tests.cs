using System;
using NUnit.Framework;

namespace TamTam.Core.Tests
{
    /// <summary>CRC-8 variants against spec CF-12.1-a/b (table of 12.1) and its worked-example CRC table.</summary>
    [TestFixture]
    public class Crc8Tests
    {
        static readonly byte[] Example1Input = Bytes.Hex("20 10 07 00 03 01 02 03");
        static readonly byte[] Example2Input = Bytes.Hex("20 18 07 12 34 00 03 01 02 03");

        [Test]
        public void EightVariantsSmbusFirstAndDefault()
        {
            Assert.AreEqual(8, Crc8.All.Count, "variant count");
            Assert.AreSame(Crc8.Smbus, Crc8.Default, "default is SMBUS (CF-12.1-a)");
            Assert.AreSame(Crc8.Smbus, Crc8.All[0], "SMBUS listed first");
        }

        // The spec's table: name, poly, init, refin = refout, xorout, check.
        [TestCase("CRC-8/SMBUS", 0x07, 0x00, false, 0x00, 0xF4)]
        [TestCase("CRC-8/MAXIM-DOW", 0x31, 0x00, true, 0x00, 0xA1)]
        [TestCase("CRC-8/I-432-1", 0x07, 0x00, false, 0x55, 0xA1)]
        [TestCase("CRC-8/AUTOSAR", 0x2F, 0xFF, false, 0xFF, 0xDF)]
        [TestCase("CRC-8/SAE-J1850", 0x1D, 0xFF, false, 0xFF, 0x4B)]
        [TestCase("CRC-8/ROHC", 0x07, 0xFF, true, 0x00, 0xD0)]
        [TestCase("CRC-8/CDMA2000", 0x9B, 0xFF, false, 0x00, 0xDA)]
        [TestCase("CRC-8/BLUETOOTH", 0xA7, 0x00, true, 0x00, 0x26)]
        public void VariantHasTheSpecsParametersAndCheckValue(string name, int poly, int init, bool reflected,
                                                              int xorOut, int check)
        {
            Crc8 c = Crc8.FromName(name);
            Assert.AreEqual(name, c.Name, "name");
            Assert.AreEqual((byte)poly, c.Poly, "poly");
            Assert.AreEqual((byte)init, c.Init, "init");
            Assert.AreEqual(reflected, c.RefIn, "refin");
            Assert.AreEqual(reflected, c.RefOut, "refout");
            Assert.AreEqual((byte)xorOut, c.XorOut, "xorout");
            Assert.AreEqual((byte)check, c.Check, "check");
            Assert.AreEqual((byte)check, c.Compute(Bytes.Ascii("123456789")), "check value of \"123456789\"");
        }

        // The spec's "CRC of example 1 input / example 2 input" table.
        [TestCase("CRC-8/SMBUS", 0x10, 0x07)]
        [TestCase("CRC-8/MAXIM-DOW", 0x86, 0x4F)]
        [TestCase("CRC-8/I-432-1", 0x45, 0x52)]
        [TestCase("CRC-8/AUTOSAR", 0x61, 0x5B)]
        [TestCase("CRC-8/SAE-J1850", 0x3A, 0x09)]
        [TestCase("CRC-8/ROHC", 0x16, 0x10)]
        [TestCase("CRC-8/CDMA2000", 0x43, 0xC2)]
        [TestCase("CRC-8/BLUETOOTH", 0xBC, 0x31)]
        public void WorkedExampleInputs(string name, int example1, int example2)
        {
            Crc8 c = Crc8.FromName(name);
            Assert.AreEqual((byte)example1, c.Compute(Example1Input), "example 1");
            Assert.AreEqual((byte)example2, c.Compute(Example2Input), "example 2");
        }

        [Test]
        public void EmptyInputTellsMaximFromI4321()
        {
            // Same check value 0xA1; the spec separates them with the empty input.
            Assert.AreEqual((byte)0x00, Crc8.MaximDow.Compute(new byte[0]), "MAXIM-DOW of nothing");
            Assert.AreEqual((byte)0x55, Crc8.I4321.Compute(new byte[0]), "I-432-1 of nothing");
        }

        [Test]
        public void FiveZeroBytesGiveZeroUnderSmbus()
        {
            // CF-12.1-c: the CRC of five zero bytes is 0x00 under SMBUS.
            Assert.AreEqual((byte)0x00, Crc8.Smbus.Compute(new byte[5]), "SMBUS of 5 zeros");
        }

        [Test]
        public void TableAgreesWithBitwiseDefinition()
        {
            var rng = new Random(4774);
            foreach (Crc8 c in Crc8.All)
            {
                for (int n = 0; n < 200; n++)
                {
                    var data = new byte[rng.Next(0, 64)];
                    rng.NextBytes(data);
                    Assert.AreEqual(Bitwise(c, data), c.Compute(data), c.Name + " on " + data.Length + " random bytes");
                }
            }
        }

        [Test]
        public void IncrementalEqualsOneShot()
        {
            byte[] data = Bytes.Ascii("123456789");
            foreach (Crc8 c in Crc8.All)
            {
                for (int split = 0; split <= data.Length; split++)
                {
                    byte r = c.Begin();
                    r = c.Update(r, data, 0, split);
                    r = c.Update(r, data, split, data.Length - split);
                    Assert.AreEqual(c.Check, c.Finish(r), c.Name + " split at " + split);
                }
            }
        }

        [Test]
        public void NamesAsCf1212bAccepts()
        {
            Assert.AreSame(Crc8.Rohc, Crc8.FromName("crc-8/rohc"), "crc-8/rohc");
            Assert.AreSame(Crc8.Rohc, Crc8.FromName("ROHC"), "ROHC");
            Assert.AreSame(Crc8.Rohc, Crc8.FromName("rohc"), "rohc");
            Assert.AreSame(Crc8.SaeJ1850, Crc8.FromName("sae-j1850"), "sae-j1850");
            Assert.AreSame(Crc8.I4321, Crc8.FromName("CRC-8/i-432-1"), "CRC-8/i-432-1");
        }

        [TestCase("")]
        [TestCase("crc8")]
        [TestCase("CRC-8/")]
        [TestCase("SMBUS ")]
        [TestCase("CRC8/SMBUS")]
        [TestCase("crc-16/smbus")]
        [TestCase("maxim")]
        [TestCase(null)]
        public void NamesCf1212bRejects(string bad)
        {
            Crc8 c;
            Assert.IsFalse(Crc8.TryFromName(bad, out c), "'" + bad + "' must be rejected");
        }

        [Test]
        public void FromNameThrowsOnAnUnknownName()
        {
            Assert.Catch<ArgumentException>(() => Crc8.FromName("crc8"), "FromName of an unknown name");
        }

        [Test]
        public void RangeChecked()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => Crc8.Smbus.Compute(new byte[4], 2, 3), "past the end");
            Assert.Throws<ArgumentOutOfRangeException>(() => Crc8.Smbus.Compute(new byte[4], -1, 1), "negative offset");
            Assert.Throws<ArgumentNullException>(() => Crc8.Smbus.Compute(null), "null data");
        }

        /// <summary>The CRC by its definition, one bit at a time (the spec's C routine, generalised).</summary>
        static byte Bitwise(Crc8 c, byte[] data)
        {
            int reg = c.Init;
            foreach (byte input in data)
            {
                reg ^= c.RefIn ? Reverse(input) : input;
                for (int k = 0; k < 8; k++)
                    reg = (reg & 0x80) != 0 ? ((reg << 1) ^ c.Poly) & 0xFF : (reg << 1) & 0xFF;
            }
            if (c.RefOut)
                reg = Reverse((byte)reg);
            return (byte)(reg ^ c.XorOut);
        }

        static byte Reverse(byte b)
        {
            int r = 0;
            for (int i = 0; i < 8; i++)
                r = (r << 1) | ((b >> i) & 1);
            return (byte)r;
        }
    }
}
