using System;
using System.IO;
using TamTam.Core;

namespace TamTam.Shim
{
    /// <summary>
    /// tamtam-cs-shim: the C# port's harness shim. Reads requests from stdin,
    /// one JSON object per line, and writes one response line each to stdout;
    /// exits 0 at end of stdin. Usage: tamtam-cs-shim [--crc NAME]
    /// </summary>
    public static class Program
    {
        // The largest request line accepted; longer ones are answered
        // bad_request and skipped. A stream request of a few hundred maximal
        // frames fits, and so does a splinter.reassemble request whose chunks
        // go past the 4 MiB per-stream cap of SP-8-h (the vector set's
        // ss-memory-limit-4100 is about 5 MB).
        public const int MaxLineBytes = 16 << 20;

        public static int Main(string[] args)
        {
            Crc8 crc = Crc8.Default;
            for (int i = 0; i < args.Length; i++)
            {
                if (args[i] == "--crc")
                {
                    if (i + 1 == args.Length)
                        return Usage("--crc needs a NAME");
                    if (!Crc8.TryFromName(args[++i], out crc))
                        return Usage("unknown CRC-8 variant '" + args[i] + "'");
                }
                else if (args[i] == "--help" || args[i] == "-h")
                {
                    Usage(null);
                    return 0;
                }
                else
                {
                    return Usage("unexpected argument '" + args[i] + "'");
                }
            }

            var shim = new HarnessShim(crc);
            try
            {
                using (Stream stdin = Console.OpenStandardInput())
                using (Stream stdout = Console.OpenStandardOutput())
                {
                    var reader = new LineReader(stdin, MaxLineBytes);
                    while (true)
                    {
                        LineReader.Result line = reader.Next();
                        if (line == LineReader.Result.EndOfInput)
                            break;
                        byte[] response = line == LineReader.Result.TooLong
                            ? HarnessShim.TooLong(MaxLineBytes)
                            : shim.Handle(reader.Buffer, reader.Length);
                        Array.Resize(ref response, response.Length + 1);
                        response[response.Length - 1] = (byte)'\n';
                        stdout.Write(response, 0, response.Length);
                        // The runner waits for each answer before the next request.
                        stdout.Flush();
                    }
                }
            }
            catch (IOException e)
            {
                // The runner went away (closed pipe); nobody is left to answer.
                Console.Error.WriteLine("tamtam-cs-shim: " + e.Message);
                return 1;
            }
            return 0;
        }

        static int Usage(string error)
        {
            if (error != null)
                Console.Error.WriteLine("tamtam-cs-shim: " + error);
            Console.Error.WriteLine("usage: tamtam-cs-shim [--crc NAME]");
            Console.Error.WriteLine("  Speaks the TamTam Conformance Harness Protocol v1 on stdin/stdout.");
            Console.Error.Write("  NAME (case-insensitive, CRC-8/ prefix optional):");
            foreach (Crc8 c in Crc8.All)
                Console.Error.Write(" " + c.Name);
            Console.Error.WriteLine();
            return 2;
        }
    }

    /// <summary>Splits a byte stream into lines without ever holding more than the cap.</summary>
    sealed class LineReader
    {
        public enum Result { Line, TooLong, EndOfInput }

        readonly Stream input;
        readonly int cap;
        readonly byte[] chunk = new byte[64 * 1024];
        int chunkPos, chunkLen;
        byte[] line = new byte[4096];

        public LineReader(Stream input, int cap)
        {
            this.input = input;
            this.cap = cap;
        }

        /// <summary>The bytes of the last line read (valid for Length bytes), without "\n" or a trailing "\r".</summary>
        public byte[] Buffer { get { return line; } }
        public int Length { get; private set; }

        /// <summary>
        /// Reads the next line. A last line without "\n" still counts; a line
        /// over the cap is consumed up to its "\n" and reported TooLong.
        /// </summary>
        public Result Next()
        {
            int len = 0;
            bool tooLong = false, any = false;
            while (true)
            {
                if (chunkPos == chunkLen)
                {
                    chunkLen = input.Read(chunk, 0, chunk.Length);
                    chunkPos = 0;
                    if (chunkLen <= 0)
                    {
                        chunkLen = 0;
                        if (!any)
                            return Result.EndOfInput;
                        break;
                    }
                }
                any = true;
                byte b = chunk[chunkPos++];
                if (b == (byte)'\n')
                    break;
                if (tooLong)
                    continue;
                if (len == cap)
                {
                    tooLong = true;
                    continue;
                }
                if (len == line.Length)
                    Array.Resize(ref line, Math.Min(cap, 2 * line.Length));
                line[len++] = b;
            }
            if (tooLong)
                return Result.TooLong;
            if (len > 0 && line[len - 1] == (byte)'\r')
                len--;
            Length = len;
            return Result.Line;
        }
    }
}
