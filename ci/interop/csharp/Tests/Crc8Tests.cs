using System;

namespace TamTam.Core.Tests
{
    /// <summary>CRC-8 variants against spec CF-12.1-a/b (table of 12.1) and its worked-example CRC table.</summary>
    static class Crc8Tests
    {
        // Columns of the spec's table: name, poly, init, refin/refout, xorout, check.
        static readonly object[][] Catalogue = {
            new object[] { "CRC-8/SMBUS", 0x07, 0x00, false, 0x00, 0xF4 },
            new object[] { "CRC-8/MAXIM-DOW", 0x31, 0x00, true, 0x00, 0xA1 },
            new object[] { "CRC-8/I-432-1", 0x07, 0x00, false, 0x55, 0xA1 },
            new object[] { "CRC-8/AUTOSAR", 0x2F, 0xFF, false, 0xFF, 0xDF },
            new object[] { "CRC-8/SAE-J1850", 0x1D, 0xFF, false, 0xFF, 0x4B },
            new object[] { "CRC-8/ROHC", 0x07, 0xFF, true, 0x00, 0xD0 },
            new object[] { "CRC-8/CDMA2000", 0x9B, 0xFF, false, 0x00, 0xDA },
            new object[] { "CRC-8/BLUETOOTH", 0xA7, 0x00, true, 0x00, 0x26 },
        };

        // The spec's "CRC of example 1 input / example 2 input" table.
        static readonly object[][] ExampleCrcs = {
            new object[] { "CRC-8/SMBUS", 0x10, 0x07 },
            new object[] { "CRC-8/MAXIM-DOW", 0x86, 0x4F },
            new object[] { "CRC-8/I-432-1", 0x45, 0x52 },
            new object[] { "CRC-8/AUTOSAR", 0x61, 0x5B },
            new object[] { "CRC-8/SAE-J1850", 0x3A, 0x09 },
            new object[] { "CRC-8/ROHC", 0x16, 0x10 },
            new object[] { "CRC-8/CDMA2000", 0x43, 0xC2 },
            new object[] { "CRC-8/BLUETOOTH", 0xBC, 0x31 },
        };

        static readonly byte[] Example1Input = Bytes.Hex("20 10 07 00 03 01 02 03");
        static readonly byte[] Example2Input = Bytes.Hex("20 18 07 12 34 00 03 01 02 03");

        [Test]
        public static void EightVariantsWithTheSpecsParameters()
        {
            Assert.Equal(8, Crc8.All.Count, "variant count");
            Assert.True(ReferenceEquals(Crc8.Smbus, Crc8.Default), "default is SMBUS (CF-12.1-a)");
            Assert.True(ReferenceEquals(Crc8.Smbus, Crc8.All[0]), "SMBUS listed first");
            foreach (object[] row in Catalogue)
            {
                Crc8 c = Crc8.FromName((string)row[0]);
                string n = c.Name;
                Assert.Equal((string)row[0], n, "name");
                Assert.Equal((byte)(int)row[1], c.Poly, n + " poly");
                Assert.Equal((byte)(int)row[2], c.Init, n + " init");
                Assert.Equal((bool)row[3], c.RefIn, n + " refin");
                Assert.Equal((bool)row[3], c.RefOut, n + " refout");
                Assert.Equal((byte)(int)row[4], c.XorOut, n + " xorout");
                Assert.Equal((byte)(int)row[5], c.Check, n + " check");
            }
        }

        [Test]
        public static void CheckValueOf123456789()
        {
            foreach (object[] row in Catalogue)
                Assert.Equal((byte)(int)row[5], Crc8.FromName((string)row[0]).Compute(Bytes.Ascii("123456789")),
                             (string)row[0] + " check value");
        }

        [Test]
        public static void WorkedExampleInputsUnderEveryVariant()
        {
            foreach (object[] row in ExampleCrcs)
            {
                Crc8 c = Crc8.FromName((string)row[0]);
                Assert.Equal((byte)(int)row[1], c.Compute(Example1Input), c.Name + " example 1");
                Assert.Equal((byte)(int)row[2], c.Compute(Example2Input), c.Name + " example 2");
            }
        }

        [Test]
        public static void EmptyInputTellsMaximFromI4321()
        {
            // Same check value 0xA1; the spec separates them with the empty input.
            Assert.Equal((byte)0x00, Crc8.MaximDow.Compute(new byte[0]), "MAXIM-DOW of nothing");
            Assert.Equal((byte)0x55, Crc8.I4321.Compute(new byte[0]), "I-432-1 of nothing");
        }

        [Test]
        public static void FiveZeroBytesGiveZeroUnderSmbus()
        {
            // CF-12.1-c: the CRC of five zero bytes is 0x00 under SMBUS.
            Assert.Equal((byte)0x00, Crc8.Smbus.Compute(new byte[5]), "SMBUS of 5 zeros");
        }

        [Test]
        public static void TableAgreesWithBitwiseDefinition()
        {
            var rng = new Random(4774);
            foreach (Crc8 c in Crc8.All)
            {
                for (int n = 0; n < 200; n++)
                {
                    var data = new byte[rng.Next(0, 64)];
                    rng.NextBytes(data);
                    Assert.Equal(Bitwise(c, data), c.Compute(data), c.Name + " on " + data.Length + " random bytes");
                }
            }
        }

        [Test]
        public static void IncrementalEqualsOneShot()
        {
            byte[] data = Bytes.Ascii("123456789");
            foreach (Crc8 c in Crc8.All)
            {
                for (int split = 0; split <= data.Length; split++)
                {
                    byte r = c.Begin();
                    r = c.Update(r, data, 0, split);
                    r = c.Update(r, data, split, data.Length - split);
                    Assert.Equal(c.Check, c.Finish(r), c.Name + " split at " + split);
                }
            }
        }

        [Test]
        public static void NamesAsCf1212bAccepts()
        {
            Assert.True(ReferenceEquals(Crc8.Rohc, Crc8.FromName("crc-8/rohc")), "crc-8/rohc");
            Assert.True(ReferenceEquals(Crc8.Rohc, Crc8.FromName("ROHC")), "ROHC");
            Assert.True(ReferenceEquals(Crc8.Rohc, Crc8.FromName("rohc")), "rohc");
            Assert.True(ReferenceEquals(Crc8.SaeJ1850, Crc8.FromName("sae-j1850")), "sae-j1850");
            Assert.True(ReferenceEquals(Crc8.I4321, Crc8.FromName("CRC-8/i-432-1")), "CRC-8/i-432-1");
            Crc8 c;
            foreach (string bad in new[] { "", "crc8", "CRC-8/", "SMBUS ", "CRC8/SMBUS", "crc-16/smbus", "maxim" })
                Assert.True(!Crc8.TryFromName(bad, out c), "'" + bad + "' must be rejected");
            Assert.True(!Crc8.TryFromName(null, out c), "null must be rejected");
            Assert.Throws<ArgumentException>(() => Crc8.FromName("crc8"), "FromName of an unknown name");
        }

        [Test]
        public static void RangeChecked()
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
