using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;

namespace Splinter.Core
{
    /// <summary>What became of one chunk fed to the reassembler.</summary>
    public sealed class ChunkResult
    {
        /// <summary>None (taken, or an identical duplicate), BadSchema (SP-8-a/f) or Backpressure (SP-8-h).</summary>
        public Fault Fault;
        public string Rule;
        public string Detail = "";
        /// <summary>DuplicateChunk for an identical duplicate (SP-8-e).</summary>
        public Notes Notes;
        /// <summary>The payloads this chunk made deliverable, in seq order (SP-8-c).</summary>
        public readonly List<JsonValue> Delivered = new List<JsonValue>();
        /// <summary>True when the chunk's stream is complete (SP-8-c).</summary>
        public bool Complete;
    }

    /// <summary>A stream given up at its deadline (SP-8-g): the 4200 reply goes to <see cref="From"/> with <see cref="Id"/>.</summary>
    public sealed class ExpiredStream
    {
        public string From, Id;
        public MessageType Type;
        /// <summary>The lowest seq never delivered.</summary>
        public ulong NextSeq;
        public bool EofSeen;
    }

    /// <summary>
    /// The stream reassembler of spec section 8, without I/O: fed validated
    /// chunks and their arrival time, it hands back payloads in seq order and
    /// reports streams whose deadline passed. Bounded (SP-8-h): at most
    /// MaxStreams streams, MaxStreamBytes of held payload text per stream and
    /// MaxTotalBytes over all; a delivered chunk is remembered (for duplicates)
    /// by its eof, length and SHA-256 of its text only, for the last 64 seqs.
    /// </summary>
    public sealed class StreamReassembler
    {
        public const int Window = 64;                         // SP-8-d
        public const ulong DefaultTimeoutMs = 30000;          // SP-8-g
        public const int DefaultMaxStreams = 1024;            // SP-8-h
        public const long DefaultMaxStreamBytes = 4L << 20;   // SP-8-h
        public const long DefaultMaxTotalBytes = 64L << 20;   // SP-8-h

        public readonly int MaxStreams;
        public readonly long MaxStreamBytes, MaxTotalBytes;
        public readonly ulong TimeoutMs;

        sealed class Held
        {
            public JsonValue Payload;
            public string Text;
            public bool Eof;
        }

        sealed class Done
        {
            public int Length;
            public bool Eof;
            public byte[] Digest;
        }

        sealed class Stream
        {
            public string From, Id;
            public MessageType Type;
            public SpTime Deadline;
            public ulong Base;                 // lowest seq not yet delivered
            public bool EofSeen;
            public ulong EofSeq;
            public bool Complete;
            public long Bytes;
            public readonly Dictionary<ulong, Held> HeldChunks = new Dictionary<ulong, Held>();
            public readonly Dictionary<ulong, Done> DoneChunks = new Dictionary<ulong, Done>(); // seqs base-64 .. base-1
        }

        // Keyed by (from, id) (SP-8-a); the pair is joined with a NUL, which
        // neither can contain (SP-2-g).
        readonly Dictionary<string, Stream> streams = new Dictionary<string, Stream>(StringComparer.Ordinal);
        long totalBytes;

        /// <summary>A reassembler with the limits of SP-8-g/h, or smaller ones (tests); a value of 0 takes the default.</summary>
        public StreamReassembler(int maxStreams = 0, long maxStreamBytes = 0, long maxTotalBytes = 0, ulong timeoutMs = 0)
        {
            MaxStreams = maxStreams > 0 ? maxStreams : DefaultMaxStreams;
            MaxStreamBytes = maxStreamBytes > 0 ? maxStreamBytes : DefaultMaxStreamBytes;
            MaxTotalBytes = maxTotalBytes > 0 ? maxTotalBytes : DefaultMaxTotalBytes;
            TimeoutMs = timeoutMs > 0 ? timeoutMs : DefaultTimeoutMs;
        }

        /// <summary>Streams held (complete ones until their deadline included).</summary>
        public int StreamCount { get { return streams.Count; } }

        /// <summary>Bytes of held payload text over all streams.</summary>
        public long HeldBytes { get { return totalBytes; } }

        static string Key(string from, string id) { return from + "\0" + id; }

        /// <summary>True when stream (from, id) is held and complete.</summary>
        public bool IsComplete(string from, string id)
        {
            Stream s;
            return streams.TryGetValue(Key(from, id), out s) && s.Complete;
        }

        /// <summary>
        /// Feeds one chunk (a valid envelope with seq and eof) arriving at
        /// <paramref name="arrival"/>. Does not expire other streams; call
        /// <see cref="Expire"/> for that. Throws ArgumentException for an
        /// envelope that is not a valid chunk.
        /// </summary>
        public ChunkResult Push(Envelope env, SpTime arrival)
        {
            if (env == null || !env.IsChunk || env.Id == null || env.From == null || !env.Ts.HasValue)
                throw new ArgumentException("not a validated chunk", "env");
            var res = new ChunkResult();
            ulong seq = env.Seq.Value;
            string text = env.Payload == null ? "null" : env.Payload.ToCompact();
            long len = Encoding.UTF8.GetByteCount(text);
            string key = Key(env.From, env.Id);
            Stream s;
            bool opened = false;
            if (!streams.TryGetValue(key, out s))
            {
                if (streams.Count >= MaxStreams)
                    return Fail(res, Fault.Backpressure, "SP-8-h", "already " + MaxStreams + " streams open");
                s = new Stream
                {
                    From = env.From,
                    Id = env.Id,
                    Type = env.Type,
                    // The opening chunk fixes the deadline (SP-8-g).
                    Deadline = env.TtlMs.HasValue ? env.Ts.Value.AddMilliseconds(env.TtlMs.Value)
                                                  : arrival.AddMilliseconds(TimeoutMs),
                };
                opened = true;
            }
            Judge(s, env, seq, text, len, res);
            if (res.Fault != Fault.None || (res.Notes & Notes.DuplicateChunk) != 0)
            {
                res.Complete = s.Complete;
                return res;
            }
            if (opened)
                streams[key] = s;
            s.HeldChunks[seq] = new Held { Payload = env.Payload ?? JsonValue.Null, Text = text, Eof = env.Eof };
            s.Bytes += len;
            totalBytes += len;
            if (env.Eof)
            {
                s.EofSeen = true;
                s.EofSeq = seq;
            }
            Deliver(s, res);
            res.Complete = s.Complete;
            return res;
        }

        /// <summary>
        /// Gives up every stream whose deadline is before <paramref name="now"/>
        /// (SP-8-g): incomplete ones are returned (each owes a 4200 reply),
        /// complete ones are forgotten silently (SP-8-i). Their memory is freed.
        /// </summary>
        public List<ExpiredStream> Expire(SpTime now)
        {
            var gone = new List<ExpiredStream>();
            var keys = new List<string>();
            foreach (KeyValuePair<string, Stream> kv in streams)
                if (kv.Value.Deadline < now)
                    keys.Add(kv.Key);
            keys.Sort(StringComparer.Ordinal);
            foreach (string k in keys)
            {
                Stream s = streams[k];
                streams.Remove(k);
                totalBytes -= s.Bytes;
                if (!s.Complete)
                    gone.Add(new ExpiredStream { From = s.From, Id = s.Id, Type = s.Type, NextSeq = s.Base, EofSeen = s.EofSeen });
            }
            return gone;
        }

        void Judge(Stream s, Envelope env, ulong seq, string text, long len, ChunkResult res)
        {
            if (env.Type != s.Type)
            {
                Fail(res, Fault.BadSchema, "SP-8-a", "the chunk's type differs from its stream's");
                return;
            }
            if (s.Complete)
            {
                Fail(res, Fault.BadSchema, "SP-8-f", "the stream is already complete");
                return;
            }
            if (s.EofSeen && seq > s.EofSeq)
            {
                Fail(res, Fault.BadSchema, "SP-8-f", "chunk after the eof chunk (seq " + s.EofSeq + ")");
                return;
            }
            if (env.Eof && s.EofSeen && seq != s.EofSeq)
            {
                Fail(res, Fault.BadSchema, "SP-8-f", "a second eof:true at another seq");
                return;
            }
            if (seq < s.Base)
            {
                Done d;
                if (s.Base - seq > Window || !s.DoneChunks.TryGetValue(seq, out d))
                {
                    Fail(res, Fault.BadSchema, "SP-8-f", "seq " + seq + " is below the window and cannot be compared");
                    return;
                }
                if (d.Length == len && d.Eof == env.Eof && Same(d.Digest, Digest(text)))
                    res.Notes |= Notes.DuplicateChunk;
                else
                    Fail(res, Fault.BadSchema, "SP-8-f", "seq " + seq + " again with a different payload or eof");
                return;
            }
            if (seq - s.Base >= Window)
            {
                Fail(res, Fault.BadSchema, "SP-8-f", "seq " + seq + " is past the window of " + Window + " from " + s.Base);
                return;
            }
            Held h;
            if (s.HeldChunks.TryGetValue(seq, out h))
            {
                if (h.Eof == env.Eof && h.Text == text)
                    res.Notes |= Notes.DuplicateChunk;
                else
                    Fail(res, Fault.BadSchema, "SP-8-f", "seq " + seq + " again with a different payload or eof");
                return;
            }
            if (env.Eof)
                foreach (ulong held in s.HeldChunks.Keys)
                    if (held > seq)
                    {
                        Fail(res, Fault.BadSchema, "SP-8-f", "eof:true at seq " + seq + " below seq " + held + " already received");
                        return;
                    }
            if (s.Bytes + len > MaxStreamBytes || totalBytes + len > MaxTotalBytes)
                Fail(res, Fault.Backpressure, "SP-8-h", "the reassembler's memory limit is reached");
        }

        void Deliver(Stream s, ChunkResult res)
        {
            Held h;
            while (s.HeldChunks.TryGetValue(s.Base, out h))
            {
                s.HeldChunks.Remove(s.Base);
                long len = Encoding.UTF8.GetByteCount(h.Text);
                s.Bytes -= len;
                totalBytes -= len;
                s.DoneChunks[s.Base] = new Done { Length = (int)len, Eof = h.Eof, Digest = Digest(h.Text) };
                s.DoneChunks.Remove(s.Base - Window);
                res.Delivered.Add(h.Payload);
                s.Base++;
            }
            if (s.EofSeen && s.Base == s.EofSeq + 1)
                s.Complete = true;
        }

        static byte[] Digest(string text)
        {
            using (SHA256 sha = SHA256.Create())
                return sha.ComputeHash(Encoding.UTF8.GetBytes(text));
        }

        static bool Same(byte[] a, byte[] b)
        {
            if (a.Length != b.Length)
                return false;
            for (int i = 0; i < a.Length; i++)
                if (a[i] != b[i])
                    return false;
            return true;
        }

        static ChunkResult Fail(ChunkResult res, Fault f, string rule, string detail)
        {
            res.Fault = f;
            res.Rule = rule;
            res.Detail = detail;
            return res;
        }
    }
}
