using System;

namespace TamTam.Core
{
    /// <summary>
    /// The outcome of decoding one buffer: a frame, or the first failed check.
    /// </summary>
    public struct DecodeResult
    {
        public DecodeResult(FrameError error, Frame frame, int length)
        {
            Error = error;
            Frame = frame;
            Length = length;
        }

        /// <summary>None when the frame is valid.</summary>
        public FrameError Error { get; private set; }
        /// <summary>The decoded frame; null unless Error is None.</summary>
        public Frame Frame { get; private set; }
        /// <summary>
        /// The frame length of CF-2-b: the bytes a valid frame consumes, and the
        /// bytes a stream skips after a discarded one (CF-12.3-a). 0 when
        /// truncated before the frame length is known to be present.
        /// </summary>
        public int Length { get; private set; }
        public bool IsValid { get { return Error == FrameError.None; } }
    }

    /// <summary>
    /// Decodes and encodes single Core Frames under one CRC-8 variant. Stateless
    /// apart from the variant, so one instance may be shared between threads.
    /// </summary>
    public sealed class FrameCodec
    {
        public FrameCodec() : this(Crc8.Default)
        {
        }

        public FrameCodec(Crc8 crc)
        {
            if (crc == null)
                throw new ArgumentNullException("crc");
            Crc = crc;
        }

        public Crc8 Crc { get; private set; }

        public DecodeResult Decode(byte[] buffer)
        {
            if (buffer == null)
                throw new ArgumentNullException("buffer");
            return Decode(buffer, 0, buffer.Length);
        }

        /// <summary>
        /// Judges the <paramref name="count"/> bytes at <paramref name="offset"/>
        /// as one frame, with the checks in the order of CF-12.2-b, and reports
        /// the first that fails. Bytes after the frame length are not looked at
        /// (CF-12.2-c). Never throws for any byte content.
        /// </summary>
        public DecodeResult Decode(byte[] buffer, int offset, int count)
        {
            Crc8.CheckRange(buffer, offset, count);
            // 1. The fixed fields (header, extension, integrity, UsedLen) must be
            //    there; HasExt, in byte 1, decides how many that is.
            if (count < 2)
                return new DecodeResult(FrameError.Truncated, null, 0);
            byte b0 = buffer[offset], b1 = buffer[offset + 1];
            bool hasExt = (b1 & FrameLayout.FlagHasExt) != 0;
            bool bigMode = (b1 & FrameLayout.FlagBigMode) != 0;
            int sizeId = b1 >> 4;
            int fixedLen = FrameLayout.FixedLength(hasExt);
            if (count < fixedLen)
                return new DecodeResult(FrameError.Truncated, null, 0);

            // 2. UsedLen against the block, before the block must be present.
            int crcAt = fixedLen - 3;
            int usedLen = (buffer[offset + fixedLen - 2] << 8) | buffer[offset + fixedLen - 1];
            int blockSize = FrameLayout.BlockSize(sizeId, bigMode);
            int length = fixedLen + blockSize;
            if (usedLen > blockSize)
                return new DecodeResult(FrameError.UsedLenExceedsBlock, null, length);

            // 3. The whole frame.
            if (count < length)
                return new DecodeResult(FrameError.Truncated, null, 0);

            // 4. CRC over header + extension, then UsedLen + payload; the
            //    integrity byte sits between the two and padding is left out.
            byte reg = Crc.Begin();
            reg = Crc.Update(reg, buffer, offset, crcAt);
            reg = Crc.Update(reg, buffer, offset + fixedLen - 2, 2 + usedLen);
            byte carried = buffer[offset + crcAt];
            if (Crc.Finish(reg) != carried)
                return new DecodeResult(FrameError.CrcMismatch, null, length);

            var payload = new byte[usedLen];
            Buffer.BlockCopy(buffer, offset + fixedLen, payload, 0, usedLen);
            var frame = new Frame
            {
                Class = (FrameClass)(b0 >> 4),
                Direction = (FrameDirection)(b0 & 0x0F),
                SizeId = sizeId,
                BigMode = bigMode,
                AckRequested = (b1 & FrameLayout.FlagAckRequested) != 0,
                Priority = (b1 & FrameLayout.FlagPriority) != 0,
                HasExt = hasExt,
                ChannelId = buffer[offset + 2],
                DestOrchestratorId = hasExt ? (ushort?)((buffer[offset + 3] << 8) | buffer[offset + 4]) : null,
                Crc = carried,
                Payload = payload,
            };
            return new DecodeResult(FrameError.None, frame, length);
        }

        /// <summary>
        /// Writes <paramref name="frame"/> as wire bytes (CF-12.4-a): every field
        /// in place, the integrity byte computed, the padding zero. Sets
        /// frame.Crc to the computed value. Throws FrameException
        /// (UsedLenExceedsBlock) when the payload does not fit the block, and
        /// ArgumentException for a field out of its range or a roaming frame
        /// without a destination.
        /// </summary>
        public byte[] Encode(Frame frame)
        {
            if (frame == null)
                throw new ArgumentNullException("frame");
            if ((int)frame.Class > 0x0F)
                throw new ArgumentOutOfRangeException("frame", "Class is a nibble, 0..15");
            if ((int)frame.Direction > 0x0F)
                throw new ArgumentOutOfRangeException("frame", "Direction is a nibble, 0..15");
            if (frame.SizeId < 0 || frame.SizeId > 15)
                throw new ArgumentOutOfRangeException("frame", "SizeId is a nibble, 0..15");
            if (frame.HasExt && !frame.DestOrchestratorId.HasValue)
                throw new ArgumentException("a roaming frame (HasExt) needs a DestOrchestratorId", "frame");
            int blockSize = frame.BlockSize;
            int usedLen = frame.UsedLen;
            if (usedLen > blockSize)
                throw new FrameException(FrameError.UsedLenExceedsBlock,
                    "payload of " + usedLen + " bytes does not fit a block of " + blockSize);

            int fixedLen = FrameLayout.FixedLength(frame.HasExt);
            var bytes = new byte[fixedLen + blockSize];
            bytes[0] = (byte)(((int)frame.Class << 4) | (int)frame.Direction);
            bytes[1] = (byte)((frame.SizeId << 4) |
                              (frame.BigMode ? FrameLayout.FlagBigMode : 0) |
                              (frame.AckRequested ? FrameLayout.FlagAckRequested : 0) |
                              (frame.Priority ? FrameLayout.FlagPriority : 0) |
                              (frame.HasExt ? FrameLayout.FlagHasExt : 0));
            bytes[2] = frame.ChannelId;
            if (frame.HasExt)
            {
                ushort dest = frame.DestOrchestratorId.Value;
                bytes[3] = (byte)(dest >> 8);
                bytes[4] = (byte)dest;
            }
            bytes[fixedLen - 2] = (byte)(usedLen >> 8);
            bytes[fixedLen - 1] = (byte)usedLen;
            Buffer.BlockCopy(frame.Payload, 0, bytes, fixedLen, usedLen);

            byte reg = Crc.Begin();
            reg = Crc.Update(reg, bytes, 0, fixedLen - 3);
            reg = Crc.Update(reg, bytes, fixedLen - 2, 2 + usedLen);
            bytes[fixedLen - 3] = Crc.Finish(reg);
            frame.Crc = bytes[fixedLen - 3];
            return bytes;
        }
    }
}
