namespace Gateway.Fuzz;

/// <summary>An input made a target break one of its promises (as opposed to crashing).</summary>
internal sealed class InvariantViolation(string message) : Exception(message)
{
    public static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvariantViolation(message);
        }
    }
}
