using System;
using System.Collections.Generic;

namespace TamTam.Core.Tests
{
    /// <summary>Byte helpers shared by the fixtures.</summary>
    static class Bytes
    {
        /// <summary>Bytes from spaced hex as the spec writes them ("20 10 07").</summary>
        public static byte[] Hex(string spaced)
        {
            string s = spaced.Replace(" ", "");
            var b = new byte[s.Length / 2];
            for (int i = 0; i < b.Length; i++)
                b[i] = Convert.ToByte(s.Substring(2 * i, 2), 16);
            return b;
        }

        public static byte[] Concat(params byte[][] parts)
        {
            var all = new List<byte>();
            foreach (byte[] p in parts)
                all.AddRange(p);
            return all.ToArray();
        }

        public static byte[] Zeros(int n)
        {
            return new byte[n];
        }

        public static byte[] Ascii(string s)
        {
            return System.Text.Encoding.ASCII.GetBytes(s);
        }
    }
}
