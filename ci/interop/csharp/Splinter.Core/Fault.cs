using System.Collections.Generic;

namespace Splinter.Core
{
    /// <summary>The fault codes of spec section 9.1 (SP-9.1-a: fixed codes and symbols).</summary>
    public enum Fault
    {
        None = 0,
        BadSchema = 1000,
        TtlExpired = 1001,
        NotAuthorized = 2000,
        UnknownType = 3000,
        Backpressure = 4100,
        StreamTimeout = 4200,
        InternalError = 5000,
    }

    /// <summary>One row of the fault table.</summary>
    public sealed class FaultInfo
    {
        public readonly Fault Code;
        public readonly string Symbol;
        public readonly string Recoverable;
        public readonly string Description;

        internal FaultInfo(Fault code, string symbol, string recoverable, string description)
        {
            Code = code;
            Symbol = symbol;
            Recoverable = recoverable;
            Description = description;
        }
    }

    /// <summary>
    /// The fault table of spec section 9.1 as one list of rows (code, symbol,
    /// recoverability, description); every lookup goes through it.
    /// </summary>
    public static class FaultTable
    {
        public static readonly IList<FaultInfo> Rows = new List<FaultInfo>
        {
            new FaultInfo(Fault.BadSchema, "BAD_SCHEMA", "no (drop)",
                "The line is not a well-formed envelope: bad JSON or UTF-8, a required member missing, a member of the wrong type or form."),
            new FaultInfo(Fault.TtlExpired, "TTL_EXPIRED", "yes",
                "The message arrived later than its ts plus ttl_ms."),
            new FaultInfo(Fault.NotAuthorized, "NOT_AUTHORIZED", "yes",
                "The sender may not address the recipient named in to."),
            new FaultInfo(Fault.UnknownType, "UNKNOWN_TYPE", "no",
                "The type names none of the message types the receiver knows."),
            new FaultInfo(Fault.Backpressure, "BACKPRESSURE", "yes (retry)",
                "The receiver's inbox or buffer is full; send again later, backing off."),
            new FaultInfo(Fault.StreamTimeout, "STREAM_TIMEOUT", "yes (retry)",
                "A chunked message still had missing chunks when its deadline passed."),
            new FaultInfo(Fault.InternalError, "INTERNAL_ERROR", "depends",
                "Any other failure of the receiver; it may restart."),
        }.AsReadOnly();

        /// <summary>The row of <paramref name="code"/>, or null when the table lacks it.</summary>
        public static FaultInfo Find(long code)
        {
            foreach (FaultInfo r in Rows)
                if ((long)r.Code == code)
                    return r;
            return null;
        }

        /// <summary>The row whose symbol is <paramref name="symbol"/> exactly, or null.</summary>
        public static FaultInfo FindSymbol(string symbol)
        {
            foreach (FaultInfo r in Rows)
                if (r.Symbol == symbol)
                    return r;
            return null;
        }

        /// <summary>The symbol of a code of the table ("BAD_SCHEMA"), or null.</summary>
        public static string Symbol(Fault code)
        {
            FaultInfo r = Find((long)code);
            return r == null ? null : r.Symbol;
        }
    }
}
