using System;
using System.Text;

namespace Splinter.Core
{
    /// <summary>Error envelopes (spec section 9.2) and the version announcement (SP-10-b).</summary>
    public static class FaultReply
    {
        /// <summary>
        /// The fault reply to <paramref name="trigger"/> (SP-9.2-a): members
        /// id, ts, from, to, type, payload {code, symbol, detail} in that
        /// order, compact, without newline. <paramref name="detail"/> null
        /// takes the table's description. Returns null when no reply is
        /// possible: no id or from can be read (SP-9.2-b/c) or the trigger's
        /// type is "error" (SP-9.2-d). ArgumentException for a code not in
        /// the table or an empty service name.
        /// </summary>
        public static string For(byte[] trigger, int offset, int count, Fault fault, string detail, string service, SpTime now)
        {
            string id, from, type;
            if (!EnvelopeValidator.TryReadReplyTarget(trigger, offset, count, out id, out from, out type) || type == "error")
                return null;
            return ErrorEnvelope(id, from, fault, detail, service, now);
        }

        /// <summary>The same reply from parts already read; <paramref name="id"/> and <paramref name="to"/> non-empty.</summary>
        public static string ErrorEnvelope(string id, string to, Fault fault, string detail, string service, SpTime now)
        {
            FaultInfo row = FaultTable.Find((long)fault);
            if (row == null)
                throw new ArgumentException("fault " + (int)fault + " is not in the table", "fault");
            if (string.IsNullOrEmpty(service) || string.IsNullOrEmpty(id) || string.IsNullOrEmpty(to))
                throw new ArgumentException("id, to and the service name must be non-empty");
            JsonValue payload = JsonValue.NewObject()
                .Add("code", JsonValue.Number((long)fault))
                .Add("symbol", JsonValue.String(row.Symbol))
                .Add("detail", JsonValue.String(detail ?? row.Description));
            return JsonValue.NewObject()
                .Add("id", JsonValue.String(id))
                .Add("ts", JsonValue.String(now.Format()))
                .Add("from", JsonValue.String(service))
                .Add("to", JsonValue.String(to))
                .Add("type", JsonValue.String("error"))
                .Add("payload", payload)
                .ToCompact();
        }

        /// <summary>The version announcement of SP-10-b: an event to "*" with payload {"splinter":{"versions":["1.0"]}}.</summary>
        public static string Announcement(string id, string service, SpTime now)
        {
            return JsonValue.NewObject()
                .Add("id", JsonValue.String(id))
                .Add("ts", JsonValue.String(now.Format()))
                .Add("from", JsonValue.String(service))
                .Add("to", JsonValue.String("*"))
                .Add("type", JsonValue.String("event"))
                .Add("payload", JsonValue.NewObject().Add("splinter",
                    JsonValue.NewObject().Add("versions", JsonValue.NewArray().Add(JsonValue.String("1.0")))))
                .ToCompact();
        }
    }
}
