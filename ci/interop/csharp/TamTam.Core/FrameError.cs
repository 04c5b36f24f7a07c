using System;

namespace TamTam.Core
{
    /// <summary>Why a frame was rejected (spec CF-12.2-a); None for a valid frame.</summary>
    public enum FrameError
    {
        None = 0,
        /// <summary>The buffer holds fewer bytes than the frame needs.</summary>
        Truncated,
        /// <summary>UsedLen is larger than the payload block (CF-6-b).</summary>
        UsedLenExceedsBlock,
        /// <summary>The integrity byte differs from the computed CRC-8 (CF-5.3-a).</summary>
        CrcMismatch,
    }

    public static class FrameErrorNames
    {
        /// <summary>
        /// The pinned wire name of an error ("truncated", "used_len_exceeds_block",
        /// "crc_mismatch"), as vectors and the harness protocol spell it; null for None.
        /// </summary>
        public static string WireName(this FrameError error)
        {
            switch (error)
            {
                case FrameError.Truncated: return "truncated";
                case FrameError.UsedLenExceedsBlock: return "used_len_exceeds_block";
                case FrameError.CrcMismatch: return "crc_mismatch";
                default: return null;
            }
        }
    }

    /// <summary>Thrown by the encoder when asked for a frame that cannot exist (CF-12.4-a).</summary>
    public sealed class FrameException : Exception
    {
        public FrameError Error { get; private set; }

        public FrameException(FrameError error, string message) : base(message)
        {
            Error = error;
        }
    }
}
