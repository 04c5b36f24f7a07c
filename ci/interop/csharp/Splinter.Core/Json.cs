using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Splinter.Core
{
    /// <summary>The kind of a JSON value.</summary>
    public enum JsonKind { Object, Array, String, Number, True, False, Null }

    /// <summary>
    /// A parsed JSON value. Objects keep their members in line order (a
    /// Splinter receiver passes unknown members on, SP-3.3-a); numbers keep
    /// their token as written, so integers are read from their digits
    /// (SP-3.4-a) and a payload is written back as it came.
    /// </summary>
    public sealed class JsonValue
    {
        public JsonKind Kind { get; private set; }
        /// <summary>A string's value, or a number's token; null for the other kinds.</summary>
        public string Text { get; private set; }
        /// <summary>
        /// A string's bytes after unescaping, exactly: for a request read by
        /// <see cref="StrictJson.ParseRequest"/> they may be invalid UTF-8
        /// (a line under test travels in them); null for the other kinds.
        /// </summary>
        public byte[] Utf8 { get; private set; }
        /// <summary>An object's members in order; null for the other kinds.</summary>
        public List<KeyValuePair<string, JsonValue>> Members { get; private set; }
        /// <summary>An array's items; null for the other kinds.</summary>
        public List<JsonValue> Items { get; private set; }

        JsonValue(JsonKind kind) { Kind = kind; }

        public static readonly JsonValue Null = new JsonValue(JsonKind.Null);
        public static readonly JsonValue True = new JsonValue(JsonKind.True);
        public static readonly JsonValue False = new JsonValue(JsonKind.False);

        public static JsonValue String(string s)
        {
            if (s == null)
                throw new ArgumentNullException("s");
            return new JsonValue(JsonKind.String) { Text = s, Utf8 = Encoding.UTF8.GetBytes(s) };
        }

        internal static JsonValue StringFromBytes(byte[] utf8)
        {
            return new JsonValue(JsonKind.String) { Text = Encoding.UTF8.GetString(utf8), Utf8 = utf8 };
        }

        /// <summary>A number from its JSON token (not checked here: the reader checks tokens it reads).</summary>
        public static JsonValue Number(string token) { return new JsonValue(JsonKind.Number) { Text = token }; }

        public static JsonValue Number(long n) { return Number(n.ToString(CultureInfo.InvariantCulture)); }

        public static JsonValue Boolean(bool b) { return b ? True : False; }

        public static JsonValue NewObject()
        {
            return new JsonValue(JsonKind.Object) { Members = new List<KeyValuePair<string, JsonValue>>() };
        }

        public static JsonValue NewArray() { return new JsonValue(JsonKind.Array) { Items = new List<JsonValue>() }; }

        /// <summary>Appends a member to an object (the caller keeps names distinct); returns this object.</summary>
        public JsonValue Add(string name, JsonValue value)
        {
            Members.Add(new KeyValuePair<string, JsonValue>(name, value));
            return this;
        }

        /// <summary>Appends an item to an array; returns this array.</summary>
        public JsonValue Add(JsonValue value)
        {
            Items.Add(value);
            return this;
        }

        /// <summary>The member called <paramref name="name"/> (exact, case-sensitive), or null; null too when this is not an object.</summary>
        public JsonValue Get(string name)
        {
            if (Kind != JsonKind.Object)
                return null;
            foreach (KeyValuePair<string, JsonValue> m in Members)
                if (m.Key == name)
                    return m.Value;
            return null;
        }

        public bool IsString { get { return Kind == JsonKind.String; } }
        public bool IsBoolean { get { return Kind == JsonKind.True || Kind == JsonKind.False; } }

        /// <summary>
        /// The value of a number written as digits only (no sign, fraction or
        /// exponent) when it is at most <paramref name="max"/>, read from the
        /// digits (SP-3.4-a); null otherwise.
        /// </summary>
        public ulong? PlainInteger(ulong max)
        {
            if (Kind != JsonKind.Number || Text.Length == 0 || Text.Length > 20)
                return null;
            ulong v = 0;
            foreach (char c in Text)
            {
                if (c < '0' || c > '9')
                    return null;
                ulong d = (ulong)(c - '0');
                if (v > (ulong.MaxValue - d) / 10)
                    return null;
                v = v * 10 + d;
            }
            return v <= max ? v : (ulong?)null;
        }

        /// <summary>The value as compact JSON: no whitespace, members in order, numbers as their tokens.</summary>
        public string ToCompact()
        {
            var sb = new StringBuilder();
            Write(sb);
            return sb.ToString();
        }

        /// <summary>Appends the compact JSON text of this value.</summary>
        public void Write(StringBuilder sb)
        {
            switch (Kind)
            {
                case JsonKind.Null: sb.Append("null"); break;
                case JsonKind.True: sb.Append("true"); break;
                case JsonKind.False: sb.Append("false"); break;
                case JsonKind.Number: sb.Append(Text); break;
                case JsonKind.String: WriteString(sb, Text); break;
                case JsonKind.Array:
                    sb.Append('[');
                    for (int i = 0; i < Items.Count; i++)
                    {
                        if (i > 0)
                            sb.Append(',');
                        Items[i].Write(sb);
                    }
                    sb.Append(']');
                    break;
                case JsonKind.Object:
                    sb.Append('{');
                    for (int i = 0; i < Members.Count; i++)
                    {
                        if (i > 0)
                            sb.Append(',');
                        WriteString(sb, Members[i].Key);
                        sb.Append(':');
                        Members[i].Value.Write(sb);
                    }
                    sb.Append('}');
                    break;
            }
        }

        /// <summary>Appends <paramref name="s"/> as a JSON string: quote, backslash and control characters escaped, the rest as is.</summary>
        public static void WriteString(StringBuilder sb, string s)
        {
            sb.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '\b': sb.Append("\\b"); break;
                    case '\f': sb.Append("\\f"); break;
                    default:
                        if (c < 0x20)
                            sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else
                            sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
        }
    }

    /// <summary>A line that breaks a rule of spec section 2; <see cref="Rule"/> is its SP- ID.</summary>
    public sealed class JsonSyntaxException : Exception
    {
        public string Rule { get; private set; }

        public JsonSyntaxException(string rule, string message) : base(message)
        {
            Rule = rule;
        }
    }

    /// <summary>
    /// A strict JSON reader for Splinter lines (spec section 2). Written for
    /// the port because the base class library's reader (JsonReaderWriterFactory,
    /// the one the shim uses for harness requests) maps JSON onto XML and is
    /// lenient where Splinter is strict: it takes NaN and leading zeros, and
    /// neither UTF-8 validity, lone escaped surrogates, escaped NULs nor the
    /// 64-level depth can be judged through it. This reader takes exactly
    /// RFC 8259 and reports the rule a line breaks.
    /// </summary>
    public static class StrictJson
    {
        public const int MaxDepth = 64;      // SP-2-e
        public const int MaxNumberToken = 63; // SP-2-c

        /// <summary>
        /// Checks that <paramref name="count"/> bytes at <paramref name="offset"/>
        /// are valid UTF-8 (RFC 3629: no overlong forms, no encoded surrogates,
        /// nothing above U+10FFFF, no stray or missing continuation bytes).
        /// Returns the index of the first bad byte, or -1.
        /// </summary>
        public static int FindInvalidUtf8(byte[] b, int offset, int count)
        {
            int end = offset + count;
            int i = offset;
            while (i < end)
            {
                byte c = b[i];
                if (c < 0x80) { i++; continue; }
                int need;
                byte lo = 0x80, hi = 0xBF; // allowed range of the first continuation byte
                if (c >= 0xC2 && c <= 0xDF) need = 1;
                else if (c == 0xE0) { need = 2; lo = 0xA0; }
                else if (c == 0xED) { need = 2; hi = 0x9F; }
                else if (c >= 0xE1 && c <= 0xEF) need = 2;
                else if (c == 0xF0) { need = 3; lo = 0x90; }
                else if (c == 0xF4) { need = 3; hi = 0x8F; }
                else if (c >= 0xF1 && c <= 0xF3) need = 3;
                else return i;
                if (i + need >= end)
                    return i; // truncated: fewer bytes left than the sequence needs
                if (b[i + 1] < lo || b[i + 1] > hi)
                    return i;
                for (int k = 2; k <= need; k++)
                    if (b[i + k] < 0x80 || b[i + k] > 0xBF)
                        return i;
                i += need + 1;
            }
            return -1;
        }

        /// <summary>
        /// Parses one JSON value filling the whole range, with JSON whitespace
        /// (space, tab, CR; not LF, which ends a line) around it. The bytes
        /// must be valid UTF-8 already (<see cref="FindInvalidUtf8"/>).
        /// Throws <see cref="JsonSyntaxException"/> naming the SP- rule broken;
        /// a duplicate member name is reported only when the rest of the line
        /// parses (the spec's order puts SP-2-d after the parse).
        /// </summary>
        public static JsonValue Parse(byte[] b, int offset, int count)
        {
            var p = new Parser(b, offset, offset + count, false);
            return p.Document();
        }

        /// <summary>
        /// Parses a harness request, which carries lines under test inside its
        /// strings: the same grammar, but the bytes need not be UTF-8 and a
        /// string may hold "\u0000" or a lone escaped surrogate; each string's
        /// exact bytes are kept in <see cref="JsonValue.Utf8"/> (a lone
        /// surrogate as its three-byte form, which a validator then rejects as
        /// UTF-8 would), and a line feed is whitespace (files such as the
        /// vector set are read with it too). Duplicate names still throw.
        /// </summary>
        public static JsonValue ParseRequest(byte[] b, int offset, int count, int maxDepth = MaxDepth)
        {
            var p = new Parser(b, offset, offset + count, true) { DepthLimit = maxDepth };
            return p.Document();
        }

        sealed class Parser
        {
            readonly byte[] b;
            readonly int end;
            int pos;
            string duplicate; // the first duplicate name seen, reported after the parse
            readonly List<byte> scratch = new List<byte>();
            readonly bool request; // lenient strings (ParseRequest)
            public int DepthLimit = MaxDepth;

            public Parser(byte[] b, int start, int end, bool request)
            {
                this.b = b;
                pos = start;
                this.end = end;
                this.request = request;
            }

            public JsonValue Document()
            {
                SkipWs();
                if (pos == end)
                    throw new JsonSyntaxException("SP-2-h", "the line holds no JSON value");
                // A byte that starts no JSON value (a BOM, a control character)
                // stands before the object: SP-2-a's "any other byte".
                byte first = b[pos];
                if ("{[\"tfn-0123456789".IndexOf((char)first) < 0)
                    throw new JsonSyntaxException("SP-2-a", "byte " + pos + " (0x" + first.ToString("x2") + ") stands before the JSON value");
                JsonValue v = Value(0);
                SkipWs();
                if (pos != end)
                    throw new JsonSyntaxException("SP-2-a", "byte " + pos + " follows the JSON value");
                if (duplicate != null)
                    throw new JsonSyntaxException("SP-2-d", "member name \"" + duplicate + "\" appears twice in one object");
                return v;
            }

            void SkipWs()
            {
                // A line feed ends a Splinter line, so it is no whitespace inside
                // one; a request or a file read by ParseRequest is plain JSON.
                while (pos < end && (b[pos] == ' ' || b[pos] == '\t' || b[pos] == '\r' || (request && b[pos] == '\n')))
                    pos++;
            }

            JsonSyntaxException Bad(string what)
            {
                return new JsonSyntaxException("SP-2-c", what + " at byte " + pos);
            }

            /// <summary>A value whose enclosing container is at <paramref name="depth"/> (0 for the top).</summary>
            JsonValue Value(int depth)
            {
                if (pos == end)
                    throw Bad("a value is missing");
                switch (b[pos])
                {
                    case (byte)'{': return Object(depth + 1);
                    case (byte)'[': return Array(depth + 1);
                    case (byte)'"': return JsonValue.StringFromBytes(String());
                    case (byte)'t': Literal("true"); return JsonValue.True;
                    case (byte)'f': Literal("false"); return JsonValue.False;
                    case (byte)'n': Literal("null"); return JsonValue.Null;
                    default:
                        if (b[pos] == '-' || (b[pos] >= '0' && b[pos] <= '9'))
                            return Number();
                        throw Bad("not a JSON value");
                }
            }

            void CheckDepth(int depth)
            {
                if (depth > DepthLimit)
                    throw new JsonSyntaxException("SP-2-e", "nesting deeper than " + DepthLimit + " at byte " + pos);
            }

            JsonValue Object(int depth)
            {
                CheckDepth(depth);
                pos++;
                JsonValue obj = JsonValue.NewObject();
                var names = new HashSet<string>(StringComparer.Ordinal);
                SkipWs();
                if (pos < end && b[pos] == '}')
                {
                    pos++;
                    return obj;
                }
                while (true)
                {
                    SkipWs();
                    if (pos == end || b[pos] != '"')
                        throw Bad("a member name is expected");
                    string name = Encoding.UTF8.GetString(String());
                    if (!names.Add(name) && duplicate == null)
                        duplicate = name;
                    SkipWs();
                    if (pos == end || b[pos] != ':')
                        throw Bad("':' is expected");
                    pos++;
                    SkipWs();
                    JsonValue v = Value(depth);
                    obj.Add(name, v);
                    SkipWs();
                    if (pos < end && b[pos] == ',')
                    {
                        pos++;
                        continue;
                    }
                    if (pos < end && b[pos] == '}')
                    {
                        pos++;
                        return obj;
                    }
                    throw Bad("',' or '}' is expected");
                }
            }

            JsonValue Array(int depth)
            {
                CheckDepth(depth);
                pos++;
                JsonValue arr = JsonValue.NewArray();
                SkipWs();
                if (pos < end && b[pos] == ']')
                {
                    pos++;
                    return arr;
                }
                while (true)
                {
                    SkipWs();
                    arr.Add(Value(depth));
                    SkipWs();
                    if (pos < end && b[pos] == ',')
                    {
                        pos++;
                        continue;
                    }
                    if (pos < end && b[pos] == ']')
                    {
                        pos++;
                        return arr;
                    }
                    throw Bad("',' or ']' is expected");
                }
            }

            void Literal(string word)
            {
                if (end - pos < word.Length)
                    throw Bad("not a JSON value");
                for (int i = 0; i < word.Length; i++)
                    if (b[pos + i] != word[i])
                        throw Bad("not a JSON value");
                pos += word.Length;
            }

            JsonValue Number()
            {
                int start = pos;
                if (b[pos] == '-')
                    pos++;
                if (pos == end || b[pos] < '0' || b[pos] > '9')
                    throw Bad("a digit is expected");
                if (b[pos] == '0')
                    pos++;
                else
                    Digits();
                if (pos < end && b[pos] == '.')
                {
                    pos++;
                    if (pos == end || b[pos] < '0' || b[pos] > '9')
                        throw Bad("a digit is expected after '.'");
                    Digits();
                }
                if (pos < end && (b[pos] == 'e' || b[pos] == 'E'))
                {
                    pos++;
                    if (pos < end && (b[pos] == '+' || b[pos] == '-'))
                        pos++;
                    if (pos == end || b[pos] < '0' || b[pos] > '9')
                        throw Bad("a digit is expected in the exponent");
                    Digits();
                }
                // A leading zero followed by more digits ("01") ends the token at
                // the zero; the next byte then fails where the value ends.
                if (pos - start > MaxNumberToken)
                    throw new JsonSyntaxException("SP-2-c", "number token longer than " + MaxNumberToken + " characters at byte " + start);
                return JsonValue.Number(Encoding.ASCII.GetString(b, start, pos - start));
            }

            void Digits()
            {
                while (pos < end && b[pos] >= '0' && b[pos] <= '9')
                    pos++;
            }

            /// <summary>A string token (pos at its quote), unescaped, as bytes.</summary>
            byte[] String()
            {
                pos++;
                scratch.Clear();
                while (true)
                {
                    if (pos == end)
                        throw Bad("unterminated string");
                    byte c = b[pos];
                    if (c == '"')
                    {
                        pos++;
                        return scratch.ToArray();
                    }
                    if (c < 0x20)
                        throw Bad("raw control character in a string");
                    if (c != '\\')
                    {
                        scratch.Add(c);
                        pos++;
                        continue;
                    }
                    pos++;
                    if (pos == end)
                        throw Bad("unterminated escape");
                    byte e = b[pos++];
                    switch (e)
                    {
                        case (byte)'"': scratch.Add((byte)'"'); break;
                        case (byte)'\\': scratch.Add((byte)'\\'); break;
                        case (byte)'/': scratch.Add((byte)'/'); break;
                        case (byte)'b': scratch.Add(0x08); break;
                        case (byte)'f': scratch.Add(0x0C); break;
                        case (byte)'n': scratch.Add(0x0A); break;
                        case (byte)'r': scratch.Add(0x0D); break;
                        case (byte)'t': scratch.Add(0x09); break;
                        case (byte)'u': AppendEscapedCodePoint(); break;
                        default: pos--; throw Bad("unknown escape");
                    }
                }
            }

            /// <summary>After "\u": four hex digits, a surrogate pair taking a second escape.</summary>
            void AppendEscapedCodePoint()
            {
                int cp = Hex4();
                if (cp == 0 && !request)
                    throw new JsonSyntaxException("SP-2-g", "escaped NUL (\\u0000) at byte " + (pos - 6));
                bool lone = false;
                if (cp >= 0xDC00 && cp <= 0xDFFF)
                    lone = true;
                else if (cp >= 0xD800 && cp <= 0xDBFF &&
                         (end - pos < 6 || b[pos] != '\\' || b[pos + 1] != 'u' || !LowSurrogateAt(pos + 2)))
                    lone = true;
                if (lone && request)
                {
                    AppendUtf8(cp); // its three-byte form, invalid UTF-8 on purpose
                    return;
                }
                if (cp >= 0xDC00 && cp <= 0xDFFF)
                    throw new JsonSyntaxException("SP-2-b", "lone escaped low surrogate at byte " + (pos - 6));
                if (cp >= 0xD800 && cp <= 0xDBFF)
                {
                    if (end - pos < 6 || b[pos] != '\\' || b[pos + 1] != 'u')
                        throw new JsonSyntaxException("SP-2-b", "lone escaped high surrogate at byte " + (pos - 6));
                    pos += 2;
                    int low = Hex4();
                    if (low < 0xDC00 || low > 0xDFFF)
                        throw new JsonSyntaxException("SP-2-b", "escaped high surrogate without its low half at byte " + (pos - 12));
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                AppendUtf8(cp);
            }

            bool LowSurrogateAt(int at)
            {
                if (end - at < 4)
                    return false;
                int save = pos;
                pos = at;
                try
                {
                    int v = Hex4();
                    return v >= 0xDC00 && v <= 0xDFFF;
                }
                catch (JsonSyntaxException)
                {
                    return false;
                }
                finally
                {
                    pos = save;
                }
            }

            void AppendUtf8(int cp)
            {
                if (cp < 0x80)
                {
                    scratch.Add((byte)cp);
                }
                else if (cp < 0x800)
                {
                    scratch.Add((byte)(0xC0 | (cp >> 6)));
                    scratch.Add((byte)(0x80 | (cp & 0x3F)));
                }
                else if (cp < 0x10000)
                {
                    scratch.Add((byte)(0xE0 | (cp >> 12)));
                    scratch.Add((byte)(0x80 | ((cp >> 6) & 0x3F)));
                    scratch.Add((byte)(0x80 | (cp & 0x3F)));
                }
                else
                {
                    scratch.Add((byte)(0xF0 | (cp >> 18)));
                    scratch.Add((byte)(0x80 | ((cp >> 12) & 0x3F)));
                    scratch.Add((byte)(0x80 | ((cp >> 6) & 0x3F)));
                    scratch.Add((byte)(0x80 | (cp & 0x3F)));
                }
            }

            int Hex4()
            {
                if (end - pos < 4)
                    throw Bad("\\u needs four hex digits");
                int v = 0;
                for (int i = 0; i < 4; i++)
                {
                    int c = b[pos + i], d;
                    if (c >= '0' && c <= '9') d = c - '0';
                    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
                    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
                    else throw Bad("\\u needs four hex digits");
                    v = (v << 4) | d;
                }
                pos += 4;
                return v;
            }
        }
    }
}
