using System;
using System.Text;
using Splinter.Core;

namespace Splinter.Core.Tests
{
    /// <summary>Envelope lines for the tests, written from the spec's examples.</summary>
    static class Lines
    {
        public const string Uuid7 = "0190b6e4-5c1a-7abc-8def-0123456789ab";
        public const string Ts = "2026-01-01T00:00:00.000Z";

        /// <summary>A valid query with the required members, then <paramref name="extra"/> (",\"k\":v..." text) inserted before the closing brace.</summary>
        public static string Query(string extra = "")
        {
            return "{\"id\":\"" + Uuid7 + "\",\"ts\":\"" + Ts + "\",\"from\":\"chat\",\"to\":\"rag_server\",\"type\":\"query\",\"payload\":{\"q\":\"hi\"}" + extra + "}";
        }

        /// <summary>An envelope from raw member texts, in the order given: Env("\"id\":\"x\"", ...).</summary>
        public static string Env(params string[] members)
        {
            return "{" + string.Join(",", members) + "}";
        }

        /// <summary>The members of a valid query with one member replaced (value text) or removed (value null).</summary>
        public static string With(string name, string value)
        {
            string[][] m =
            {
                new[] { "id", "\"" + Uuid7 + "\"" },
                new[] { "ts", "\"" + Ts + "\"" },
                new[] { "from", "\"chat\"" },
                new[] { "to", "\"rag_server\"" },
                new[] { "type", "\"query\"" },
                new[] { "payload", "{\"q\":\"hi\"}" },
            };
            var sb = new StringBuilder("{");
            bool replaced = false;
            foreach (string[] kv in m)
            {
                string v = kv[0] == name ? value : kv[1];
                replaced |= kv[0] == name;
                if (v == null)
                    continue;
                if (sb.Length > 1)
                    sb.Append(',');
                sb.Append('"').Append(kv[0]).Append("\":").Append(v);
            }
            if (!replaced && value != null)
                sb.Append(",\"").Append(name).Append("\":").Append(value);
            return sb.Append('}').ToString();
        }

        /// <summary>A chunk of stream ("chat", id) with the given seq, eof and payload text.</summary>
        public static string Chunk(uint seq, bool eof, string payload, string id = "s1", string extra = "", string type = "query", string ts = Ts)
        {
            return "{\"id\":\"" + id + "\",\"ts\":\"" + ts + "\",\"from\":\"chat\",\"type\":\"" + type + "\",\"payload\":" + payload +
                   ",\"seq\":" + seq + ",\"eof\":" + (eof ? "true" : "false") + extra + "}";
        }

        public static byte[] Bytes(string s) { return Encoding.UTF8.GetBytes(s); }

        public static byte[] Hex(string hex)
        {
            hex = hex.Replace(" ", "");
            var b = new byte[hex.Length / 2];
            for (int i = 0; i < b.Length; i++)
                b[i] = Convert.ToByte(hex.Substring(2 * i, 2), 16);
            return b;
        }

        public static SpTime Time(string rfc3339)
        {
            SpTime t;
            string rule;
            if (!SpTime.TryParse(rfc3339, out t, out rule))
                throw new ArgumentException("bad test time " + rfc3339);
            return t;
        }

        public static Verdict Check(string line, AllowList allow = null, string now = null)
        {
            return EnvelopeValidator.Validate(line, allow, now == null ? (SpTime?)null : Time(now));
        }

        public static Verdict Check(byte[] line)
        {
            return EnvelopeValidator.Validate(line, 0, line.Length, null, null);
        }
    }
}
