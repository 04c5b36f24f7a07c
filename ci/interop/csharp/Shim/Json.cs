using System;
using System.Globalization;
using System.IO;
using System.Runtime.Serialization.Json;
using System.Text;
using System.Xml;

namespace TamTam.Shim
{
    /// <summary>A request line that is not a well-formed harness request.</summary>
    sealed class BadRequestException : Exception
    {
        public BadRequestException(string message) : base(message)
        {
        }
    }

    /// <summary>
    /// Reads one JSON request with the base class library's JSON reader
    /// (JsonReaderWriterFactory), which maps JSON onto XML: an object is an
    /// element with type="object" and one child element per member, an array
    /// has "item" children, scalars carry type="string|number|boolean|null".
    /// </summary>
    static class JsonRequest
    {
        // Requests are flat; a deeper document is not one of ours, and the cap
        // keeps a hostile line from recursing deep.
        const int MaxDepth = 8;

        public static XmlElement Parse(byte[] line, int count)
        {
            // Strings are bounded by the line cap; names are the few of the protocol.
            var quotas = new XmlDictionaryReaderQuotas
            {
                MaxDepth = MaxDepth,
                MaxStringContentLength = Math.Max(count, 1),
                MaxArrayLength = Math.Max(count, 1),
                MaxBytesPerRead = 64 * 1024,
                MaxNameTableCharCount = 16 * 1024,
            };
            var doc = new XmlDocument();
            try
            {
                using (XmlDictionaryReader reader = JsonReaderWriterFactory.CreateJsonReader(line, 0, count, quotas))
                    doc.Load(reader);
            }
            // The reader reports malformed input as XmlException, but also as
            // FormatException (control characters), IndexOutOfRangeException
            // (unbalanced brackets, Mono) and others; every one of them means
            // the line is not a request.
            catch (Exception e) when (!(e is OutOfMemoryException))
            {
                throw new BadRequestException("the line is not valid JSON");
            }
            XmlElement root = doc.DocumentElement;
            if (root == null || Type(root) != "object")
                throw new BadRequestException("a request is a JSON object");
            return root;
        }

        public static string Type(XmlElement e)
        {
            string t = e.GetAttribute("type");
            return t.Length == 0 ? "string" : t;
        }

        /// <summary>The member called <paramref name="name"/> of an object, or null; a repeated member is a bad request.</summary>
        public static XmlElement Member(XmlElement obj, string name)
        {
            XmlElement found = null;
            foreach (XmlNode n in obj.ChildNodes)
            {
                var e = n as XmlElement;
                // Keys that are not XML names come as <a:item item="key">.
                if (e == null || (e.LocalName != name && e.GetAttribute("item") != name))
                    continue;
                if (found != null)
                    throw new BadRequestException("member \"" + name + "\" given twice");
                found = e;
            }
            return found;
        }

        public static XmlElement Required(XmlElement obj, string name)
        {
            XmlElement e = Member(obj, name);
            if (e == null)
                throw new BadRequestException("member \"" + name + "\" missing");
            return e;
        }

        /// <summary>An integer member within [min, max]; the JSON text must be a plain integer.</summary>
        public static long Integer(XmlElement obj, string name, long min, long max)
        {
            XmlElement e = Required(obj, name);
            long v;
            if (!TryInteger(e, out v) || v < min || v > max)
                throw new BadRequestException("\"" + name + "\" must be an integer in " + min + ".." + max);
            return v;
        }

        public static bool TryInteger(XmlElement e, out long value)
        {
            value = 0;
            if (Type(e) != "number")
                return false;
            string s = e.InnerText;
            int i = s.StartsWith("-", StringComparison.Ordinal) ? 1 : 0;
            if (s.Length == i || s.Length > 20 || (s[i] == '0' && s.Length > i + 1))
                return false;
            for (int k = i; k < s.Length; k++)
                if (s[k] < '0' || s[k] > '9')
                    return false;
            return long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
        }

        public static bool Boolean(XmlElement obj, string name)
        {
            XmlElement e = Required(obj, name);
            if (Type(e) != "boolean")
                throw new BadRequestException("\"" + name + "\" must be true or false");
            return e.InnerText == "true";
        }

        public static string String(XmlElement obj, string name)
        {
            XmlElement e = Required(obj, name);
            if (Type(e) != "string")
                throw new BadRequestException("\"" + name + "\" must be a string");
            return e.InnerText;
        }

        public static bool IsNull(XmlElement e)
        {
            return Type(e) == "null";
        }
    }

    /// <summary>
    /// Writes one compact JSON response through the base class library's JSON
    /// writer, members in the order written. (That writer escapes '/' as "\/",
    /// which every JSON reader reads back as '/'.)
    /// </summary>
    sealed class JsonResponse
    {
        readonly MemoryStream buffer = new MemoryStream();
        readonly XmlDictionaryWriter w;

        public JsonResponse()
        {
            w = JsonReaderWriterFactory.CreateJsonWriter(buffer, new UTF8Encoding(false), false);
            w.WriteStartElement("root");
            w.WriteAttributeString("type", "object");
        }

        public JsonResponse Number(string name, long value)
        {
            Scalar(name, "number", value.ToString(CultureInfo.InvariantCulture));
            return this;
        }

        public JsonResponse String(string name, string value)
        {
            Scalar(name, "string", value);
            return this;
        }

        public JsonResponse Boolean(string name, bool value)
        {
            Scalar(name, "boolean", value ? "true" : "false");
            return this;
        }

        public JsonResponse Null(string name)
        {
            w.WriteStartElement(name);
            w.WriteAttributeString("type", "null");
            w.WriteEndElement();
            return this;
        }

        /// <summary>Opens a member object (or, with name null, an object as the next array item).</summary>
        public JsonResponse BeginObject(string name)
        {
            w.WriteStartElement(name ?? "item");
            w.WriteAttributeString("type", "object");
            return this;
        }

        public JsonResponse BeginArray(string name)
        {
            w.WriteStartElement(name);
            w.WriteAttributeString("type", "array");
            return this;
        }

        /// <summary>Appends a string item to the array being written.</summary>
        public JsonResponse Item(string value)
        {
            return String("item", value);
        }

        public JsonResponse End()
        {
            w.WriteEndElement();
            return this;
        }

        /// <summary>The finished document as UTF-8, without a newline.</summary>
        public byte[] ToBytes()
        {
            w.WriteEndElement();
            w.Flush();
            return buffer.ToArray();
        }

        void Scalar(string name, string type, string text)
        {
            w.WriteStartElement(name);
            w.WriteAttributeString("type", type);
            w.WriteString(text);
            w.WriteEndElement();
        }
    }
}
