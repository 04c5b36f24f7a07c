using System;
using System.Collections.Generic;

namespace TamTam.Core
{
    /// <summary>One outcome of a stream receiver: a valid frame, or a discarded one with its error.</summary>
    public sealed class StreamEvent
    {
        public StreamEvent(long offset, Frame frame, FrameError error)
        {
            Offset = offset;
            Frame = frame;
            Error = error;
        }

        /// <summary>Stream offset of the frame's first byte (CF-12.3-c).</summary>
        public long Offset { get; private set; }
        /// <summary>The frame; null when discarded.</summary>
        public Frame Frame { get; private set; }
        /// <summary>None for a valid frame; UsedLenExceedsBlock or CrcMismatch for a discarded one.</summary>
        public FrameError Error { get; private set; }
    }

    /// <summary>
    /// Cuts a byte stream delivered in arbitrary chunks into frames (spec
    /// CF-12.3): a frame is judged once all of its CF-2-b length has arrived; a
    /// discarded frame is skipped by exactly that length, never by searching.
    /// Holds at most one incomplete frame (8199 bytes), whatever it is fed.
    /// </summary>
    public sealed class StreamReceiver
    {
        readonly FrameCodec codec;
        readonly byte[] held = new byte[FrameLayout.MaxLength];
        int heldCount;
        long position;

        public StreamReceiver() : this(new FrameCodec())
        {
        }

        public StreamReceiver(FrameCodec codec)
        {
            if (codec == null)
                throw new ArgumentNullException("codec");
            this.codec = codec;
        }

        /// <summary>Bytes received for a frame that is not complete yet.</summary>
        public int Pending { get { return heldCount; } }

        /// <summary>Stream offset of the next frame to be judged.</summary>
        public long Position { get { return position; } }

        /// <summary>Feeds one chunk; returns the events of the frames it completed, in stream order.</summary>
        public IList<StreamEvent> Push(byte[] data, int offset, int count)
        {
            Crc8.CheckRange(data, offset, count);
            var events = new List<StreamEvent>();
            int at = offset, end = offset + count;
            while (at < end)
            {
                // A whole frame in the chunk is judged where it lies.
                if (heldCount == 0 && end - at >= 2)
                {
                    int length = FrameLayout.FrameLength(data[at + 1]);
                    if (end - at >= length)
                    {
                        events.Add(Judge(data, at, length));
                        at += length;
                        continue;
                    }
                }
                int need = heldCount < 2 ? 2 : FrameLayout.FrameLength(held[1]);
                int take = Math.Min(need - heldCount, end - at);
                Buffer.BlockCopy(data, at, held, heldCount, take);
                heldCount += take;
                at += take;
                if (heldCount >= 2 && heldCount == FrameLayout.FrameLength(held[1]))
                {
                    events.Add(Judge(held, 0, heldCount));
                    heldCount = 0;
                }
            }
            return events;
        }

        StreamEvent Judge(byte[] buffer, int offset, int length)
        {
            DecodeResult r = codec.Decode(buffer, offset, length);
            var ev = new StreamEvent(position, r.Frame, r.Error);
            position += length;
            return ev;
        }
    }
}
