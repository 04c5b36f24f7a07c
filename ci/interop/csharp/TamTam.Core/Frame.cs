using System;

namespace TamTam.Core
{
    /// <summary>Class nibble of header byte 0 (CF-3.1-b). 0x5-0xE are unassigned and still decode.</summary>
    public enum FrameClass : byte
    {
        System = 0x0,
        Control = 0x1,
        Data = 0x2,
        Event = 0x3,
        Response = 0x4,
        Reserved = 0xF,
    }

    /// <summary>Direction nibble of header byte 0 (CF-3.1-c). 0x4-0xE are unassigned and still decode.</summary>
    public enum FrameDirection : byte
    {
        Request = 0x0,
        Reply = 0x1,
        Broadcast = 0x2,
        Signal = 0x3,
        Reserved = 0xF,
    }

    /// <summary>
    /// One Core Frame, as the layer above sees it: header fields, optional
    /// destination, the integrity byte, and the UsedLen bytes of payload.
    /// Padding is never part of it (CF-8-b).
    /// </summary>
    public sealed class Frame
    {
        byte[] payload = new byte[0];

        public FrameClass Class { get; set; }
        public FrameDirection Direction { get; set; }
        /// <summary>Block size selector, 0..15 (CF-3.2-a, CF-7.1-a).</summary>
        public int SizeId { get; set; }
        public bool BigMode { get; set; }
        public bool AckRequested { get; set; }
        public bool Priority { get; set; }
        public bool HasExt { get; set; }
        public byte ChannelId { get; set; }
        /// <summary>The destination of a roaming frame; null when HasExt is false (CF-4-b).</summary>
        public ushort? DestOrchestratorId { get; set; }
        /// <summary>The integrity byte: as received when decoded, as computed when encoded.</summary>
        public byte Crc { get; set; }

        /// <summary>The meaningful bytes of the block; never null.</summary>
        public byte[] Payload
        {
            get { return payload; }
            set
            {
                if (value == null)
                    throw new ArgumentNullException("value");
                payload = value;
            }
        }

        public int UsedLen { get { return payload.Length; } }
        public int BlockSize { get { return FrameLayout.BlockSize(SizeId, BigMode); } }
        public int Length { get { return FrameLayout.FrameLength(HasExt, SizeId, BigMode); } }
    }

    /// <summary>Sizes and bit positions of the Core Frame layout (spec sections 2, 3, 7).</summary>
    public static class FrameLayout
    {
        public const int MinLength = 6;
        public const int MaxLength = 8200;
        public const int MaxBlockSize = 8192;

        public const byte FlagBigMode = 0x01;
        public const byte FlagAckRequested = 0x02;
        public const byte FlagPriority = 0x04;
        public const byte FlagHasExt = 0x08;

        static readonly int[] NormalBlockSizes = {
            0, 16, 32, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096 };

        /// <summary>BlockSize(SizeId, BigMode) in bytes (CF-7.1-a, CF-7.1-b, CF-7.2-a).</summary>
        public static int BlockSize(int sizeId, bool bigMode)
        {
            if (sizeId < 0 || sizeId > 15)
                throw new ArgumentOutOfRangeException("sizeId", "SizeId is a nibble, 0..15");
            return NormalBlockSizes[sizeId] * (bigMode ? 2 : 1);
        }

        /// <summary>Bytes before the block: header, extension, integrity, UsedLen (6 or 8).</summary>
        public static int FixedLength(bool hasExt)
        {
            return hasExt ? 8 : 6;
        }

        /// <summary>The frame length of CF-2-b.</summary>
        public static int FrameLength(bool hasExt, int sizeId, bool bigMode)
        {
            return FixedLength(hasExt) + BlockSize(sizeId, bigMode);
        }

        /// <summary>The frame length of CF-2-b from header byte 1 alone (SizeId and flags).</summary>
        public static int FrameLength(byte headerByte1)
        {
            return FrameLength((headerByte1 & FlagHasExt) != 0, headerByte1 >> 4,
                               (headerByte1 & FlagBigMode) != 0);
        }
    }
}
