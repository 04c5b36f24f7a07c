using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using NUnit.Framework;
using Splinter.Core;

namespace Splinter.Core.Tests
{
    /// <summary>
    /// Every vector of vectors/splinter-envelope.json and splinter-stream.json
    /// through the port, one test case each (category "vectors"; the
    /// directory comes from TT_VECTORS_DIR). Verdicts are compared as
    /// vectors/README.md says: the fault code (the rule is shown), or the
    /// envelope as JSON values; for streams the payloads, complete, the chunk
    /// faults by index and code, the notes, and the stream's 4200.
    /// </summary>
    [TestFixture]
    [Category("vectors")]
    public class VectorTests
    {
        static JsonValue Load(string file)
        {
            string dir = Environment.GetEnvironmentVariable("TT_VECTORS_DIR");
            if (string.IsNullOrEmpty(dir))
                throw new InvalidOperationException("TT_VECTORS_DIR is not set (ctest sets it for ci.csharp.splinter_vectors)");
            byte[] b = File.ReadAllBytes(Path.Combine(dir, file));
            // The vector files nest envelopes of depth 64 three levels down.
            return StrictJson.ParseRequest(b, 0, b.Length, 256);
        }

        static IEnumerable<TestCaseData> Vectors(string file)
        {
            foreach (JsonValue v in Load(file).Get("vectors").Items)
                yield return new TestCaseData(v).SetName(v.Get("id").Text);
        }

        public static IEnumerable<TestCaseData> EnvelopeVectors() { return Vectors("splinter-envelope.json"); }
        public static IEnumerable<TestCaseData> StreamVectors() { return Vectors("splinter-stream.json"); }

        static byte[] LineOf(JsonValue v)
        {
            JsonValue line = v.Get("line");
            if (line != null)
                return line.Utf8;
            string hex = v.Get("line_hex").Text;
            var b = new byte[hex.Length / 2];
            for (int i = 0; i < b.Length; i++)
                b[i] = byte.Parse(hex.Substring(2 * i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return b;
        }

        [Test, TestCaseSource("EnvelopeVectors")]
        public void Envelope(JsonValue v)
        {
            byte[] line = LineOf(v);
            JsonValue allowJson = v.Get("allow");
            AllowList allow = allowJson == null ? null : AllowList.FromJson(allowJson);
            Verdict got = EnvelopeValidator.Validate(line, 0, line.Length, allow, Lines.Time(v.Get("now").Text));
            string want = v.Get("expect").Text;
            if (want == "valid")
            {
                Assert.IsTrue(got.IsValid, "want valid, got " + got);
                Assert.IsTrue(JsonEquals(v.Get("envelope"), got.Envelope.Root),
                              "envelope as parsed: want " + v.Get("envelope").ToCompact() + ", got " + got.Envelope.Root.ToCompact());
                JsonValue notes = v.Get("notes");
                if (notes != null)
                    Assert.AreEqual(notes.ToCompact(), NoteNames(got.Notes, false), "info notes");
            }
            else
            {
                long code = long.Parse(v.Get("fault").ToCompact(), CultureInfo.InvariantCulture);
                JsonValue rule = v.Get("rule");
                Assert.AreEqual(code, (long)got.Fault,
                                "want " + code + " (" + (rule == null ? "?" : rule.Text) + "), got " + got);
            }
        }

        [Test, TestCaseSource("StreamVectors")]
        public void Stream(JsonValue v)
        {
            var rx = new StreamReassembler();
            var payloads = new List<string>();
            var faults = new List<string>();
            var notes = new List<string>();
            var keys = new List<string>();
            bool timedOut = false;
            List<JsonValue> lines = v.Get("lines").Items;
            for (int i = 0; i < lines.Count; i++)
            {
                byte[] b = lines[i].Utf8;
                Verdict verdict = EnvelopeValidator.Validate(b, 0, b.Length, null, null);
                if (!verdict.IsValid)
                {
                    faults.Add(i + ":" + (int)verdict.Fault);
                    continue;
                }
                Envelope env = verdict.Envelope;
                Assert.IsTrue(env.IsChunk, "lines[" + i + "] is a valid envelope but not a chunk");
                timedOut |= rx.Expire(env.Ts.Value).Count > 0;
                ChunkResult r = rx.Push(env, env.Ts.Value);
                if (r.Fault != Fault.None)
                    faults.Add(i + ":" + (int)r.Fault);
                else if (!keys.Contains(env.From + "\0" + env.Id))
                    keys.Add(env.From + "\0" + env.Id);
                if ((r.Notes & Notes.DuplicateChunk) != 0)
                    notes.Add(i + ":duplicate_chunk");
                foreach (JsonValue p in r.Delivered)
                    payloads.Add(p.ToCompact());
            }
            bool complete = keys.Count > 0;
            foreach (string k in keys)
            {
                string[] fi = k.Split('\0');
                complete &= rx.IsComplete(fi[0], fi[1]);
            }
            timedOut |= rx.Expire(Lines.Time(v.Get("now").Text)).Count > 0;

            var wantFaults = new List<string>();
            foreach (JsonValue f in v.Get("faults").Items)
                wantFaults.Add(f.Get("index").ToCompact() + ":" + f.Get("fault").ToCompact());
            CollectionAssert.AreEqual(wantFaults, faults, "chunk faults (index:code)");
            var wantPayloads = new List<string>();
            foreach (JsonValue p in v.Get("payloads").Items)
                wantPayloads.Add(p.ToCompact());
            Assert.AreEqual(wantPayloads.Count, payloads.Count, "payloads delivered: want " + string.Join(" ", wantPayloads) + ", got " + string.Join(" ", payloads));
            for (int i = 0; i < payloads.Count; i++)
            {
                byte[] pb = Encoding.UTF8.GetBytes(payloads[i]);
                byte[] wb = Encoding.UTF8.GetBytes(wantPayloads[i]);
                Assert.IsTrue(JsonEquals(StrictJson.Parse(wb, 0, wb.Length), StrictJson.Parse(pb, 0, pb.Length)),
                              "payload " + i + ": want " + wantPayloads[i] + ", got " + payloads[i]);
            }
            Assert.AreEqual(v.Get("expect").Text == "fault", timedOut, "stream timeout (4200)");
            if (!timedOut)
                Assert.AreEqual(v.Get("complete").Kind == JsonKind.True, complete, "complete");
            JsonValue wantNotes = v.Get("notes");
            if (wantNotes != null)
            {
                var wn = new List<string>();
                foreach (JsonValue n in wantNotes.Items)
                    wn.Add(n.Get("index").ToCompact() + ":" + n.Get("note").Text);
                CollectionAssert.AreEqual(wn, notes, "info notes");
            }
        }

        /// <summary>The notes as the vectors write them, a compact JSON array in table order.</summary>
        static string NoteNames(Notes n, bool withDuplicate)
        {
            var names = new List<string>();
            if ((n & Notes.IdNotUuidV7) != 0) names.Add("\"id_not_uuidv7\"");
            if ((n & Notes.UnknownFaultCode) != 0) names.Add("\"unknown_fault_code\"");
            if ((n & Notes.UnknownMember) != 0) names.Add("\"unknown_member\"");
            if (withDuplicate && (n & Notes.DuplicateChunk) != 0) names.Add("\"duplicate_chunk\"");
            return "[" + string.Join(",", names) + "]";
        }

        /// <summary>JSON values equal as vectors/README.md compares them: objects by member name, numbers by value, strings after unescaping.</summary>
        static bool JsonEquals(JsonValue a, JsonValue b)
        {
            if (a.Kind != b.Kind)
                return false;
            switch (a.Kind)
            {
                case JsonKind.Null:
                case JsonKind.True:
                case JsonKind.False:
                    return true;
                case JsonKind.String:
                    return a.Text == b.Text;
                case JsonKind.Number:
                    if (a.Text == b.Text)
                        return true;
                    decimal x, y;
                    if (decimal.TryParse(a.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out x) &&
                        decimal.TryParse(b.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out y))
                        return x == y;
                    return double.Parse(a.Text, CultureInfo.InvariantCulture) == double.Parse(b.Text, CultureInfo.InvariantCulture);
                case JsonKind.Array:
                    if (a.Items.Count != b.Items.Count)
                        return false;
                    for (int i = 0; i < a.Items.Count; i++)
                        if (!JsonEquals(a.Items[i], b.Items[i]))
                            return false;
                    return true;
                case JsonKind.Object:
                    if (a.Members.Count != b.Members.Count)
                        return false;
                    foreach (KeyValuePair<string, JsonValue> m in a.Members)
                    {
                        JsonValue o = b.Get(m.Key);
                        if (o == null || !JsonEquals(m.Value, o))
                            return false;
                    }
                    return true;
            }
            return false;
        }
    }
}
