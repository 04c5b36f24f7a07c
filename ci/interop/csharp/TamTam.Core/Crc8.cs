using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace TamTam.Core
{
    /// <summary>
    /// A CRC-8 variant in the RevEng parametrised form (width 8, poly, init,
    /// refin, refout, xorout), table-driven. The eight variants a TamTam tool
    /// must offer are static instances (spec CF-12.1-a/b); <see cref="Smbus"/>
    /// is the default.
    /// </summary>
    public sealed class Crc8
    {
#if SEEDED_CRC_MAXIM
        // Seeded defect, compiled only into the test shim of ctest
        // ci.csharp.gate_red: the classic port bug of a Dallas/Maxim CRC-8
        // routine shipped under the SMBUS name. The gate must turn red on it.
        public static readonly Crc8 Smbus = new Crc8("CRC-8/SMBUS", 0x31, 0x00, true, true, 0x00, 0xF4);
#else
        public static readonly Crc8 Smbus = new Crc8("CRC-8/SMBUS", 0x07, 0x00, false, false, 0x00, 0xF4);
#endif
        public static readonly Crc8 MaximDow = new Crc8("CRC-8/MAXIM-DOW", 0x31, 0x00, true, true, 0x00, 0xA1);
        public static readonly Crc8 I4321 = new Crc8("CRC-8/I-432-1", 0x07, 0x00, false, false, 0x55, 0xA1);
        public static readonly Crc8 Autosar = new Crc8("CRC-8/AUTOSAR", 0x2F, 0xFF, false, false, 0xFF, 0xDF);
        public static readonly Crc8 SaeJ1850 = new Crc8("CRC-8/SAE-J1850", 0x1D, 0xFF, false, false, 0xFF, 0x4B);
        public static readonly Crc8 Rohc = new Crc8("CRC-8/ROHC", 0x07, 0xFF, true, true, 0x00, 0xD0);
        public static readonly Crc8 Cdma2000 = new Crc8("CRC-8/CDMA2000", 0x9B, 0xFF, false, false, 0x00, 0xDA);
        public static readonly Crc8 Bluetooth = new Crc8("CRC-8/BLUETOOTH", 0xA7, 0x00, true, true, 0x00, 0x26);

        /// <summary>The default variant of the Core Frame (CF-12.1-a).</summary>
        public static Crc8 Default { get { return Smbus; } }

        /// <summary>Every variant of the spec's table, default first.</summary>
        public static readonly ReadOnlyCollection<Crc8> All = new ReadOnlyCollection<Crc8>(new[] {
            Smbus, MaximDow, I4321, Autosar, SaeJ1850, Rohc, Cdma2000, Bluetooth });

        const string Prefix = "CRC-8/";

        public string Name { get; private set; }
        public byte Poly { get; private set; }
        public byte Init { get; private set; }
        public bool RefIn { get; private set; }
        public bool RefOut { get; private set; }
        public byte XorOut { get; private set; }
        /// <summary>The catalogue check value: the CRC of ASCII "123456789".</summary>
        public byte Check { get; private set; }

        readonly byte[] table = new byte[256];

        /// <summary>
        /// Defines a variant. Only refin == refout is supported (true of every
        /// variant in the spec's table); anything else throws ArgumentException.
        /// </summary>
        public Crc8(string name, byte poly, byte init, bool refIn, bool refOut, byte xorOut, byte check)
        {
            if (name == null)
                throw new ArgumentNullException("name");
            if (refIn != refOut)
                throw new ArgumentException("refin and refout must agree", "refOut");
            Name = name;
            Poly = poly;
            Init = init;
            RefIn = refIn;
            RefOut = refOut;
            XorOut = xorOut;
            Check = check;
            // A reflected CRC runs the shift register the other way round with
            // the bit-reversed polynomial, so no byte needs reflecting per step.
            byte rpoly = Reflect(poly);
            for (int i = 0; i < 256; i++)
            {
                int r = i;
                for (int k = 0; k < 8; k++)
                {
                    if (refIn)
                        r = (r & 0x01) != 0 ? (r >> 1) ^ rpoly : r >> 1;
                    else
                        r = (r & 0x80) != 0 ? ((r << 1) ^ poly) & 0xFF : (r << 1) & 0xFF;
                }
                table[i] = (byte)r;
            }
        }

        /// <summary>The register value before any input byte.</summary>
        public byte Begin()
        {
            return RefIn ? Reflect(Init) : Init;
        }

        /// <summary>Feeds <paramref name="count"/> bytes to a running register and returns the new register.</summary>
        public byte Update(byte register, byte[] data, int offset, int count)
        {
            CheckRange(data, offset, count);
            int r = register;
            for (int i = offset; i < offset + count; i++)
                r = table[r ^ data[i]];
            return (byte)r;
        }

        /// <summary>The CRC value of a register that has seen all the input.</summary>
        public byte Finish(byte register)
        {
            return (byte)(register ^ XorOut);
        }

        /// <summary>The CRC of <paramref name="count"/> bytes of <paramref name="data"/> from <paramref name="offset"/>.</summary>
        public byte Compute(byte[] data, int offset, int count)
        {
            return Finish(Update(Begin(), data, offset, count));
        }

        /// <summary>The CRC of all of <paramref name="data"/>.</summary>
        public byte Compute(byte[] data)
        {
            if (data == null)
                throw new ArgumentNullException("data");
            return Compute(data, 0, data.Length);
        }

        /// <summary>
        /// Looks a variant up by name as CF-12.1-b requires: case-insensitive,
        /// with or without the "CRC-8/" prefix. Returns false for any other name.
        /// </summary>
        public static bool TryFromName(string name, out Crc8 crc)
        {
            crc = null;
            if (name == null)
                return false;
            foreach (Crc8 c in All)
            {
                if (string.Equals(name, c.Name, StringComparison.OrdinalIgnoreCase) ||
                    string.Equals(name, c.Name.Substring(Prefix.Length), StringComparison.OrdinalIgnoreCase))
                {
                    crc = c;
                    return true;
                }
            }
            return false;
        }

        /// <summary>As <see cref="TryFromName"/>; throws ArgumentException naming the valid choices for an unknown name.</summary>
        public static Crc8 FromName(string name)
        {
            Crc8 crc;
            if (TryFromName(name, out crc))
                return crc;
            var names = new List<string>();
            foreach (Crc8 c in All)
                names.Add(c.Name);
            throw new ArgumentException("unknown CRC-8 variant '" + name + "'; expected one of " +
                                        string.Join(", ", names.ToArray()), "name");
        }

        public override string ToString()
        {
            return Name;
        }

        static byte Reflect(byte b)
        {
            int r = 0;
            for (int i = 0; i < 8; i++)
                if ((b & (1 << i)) != 0)
                    r |= 0x80 >> i;
            return (byte)r;
        }

        internal static void CheckRange(byte[] data, int offset, int count)
        {
            if (data == null)
                throw new ArgumentNullException("data");
            if (offset < 0 || count < 0 || offset > data.Length - count)
                throw new ArgumentOutOfRangeException("count", "offset/count outside the array");
        }
    }
}
