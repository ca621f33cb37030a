using System.Text;
using System.Text.Unicode;
using Gateway.Metering.Requests;
using Gateway.Metering.Usage;

namespace Gateway.Fuzz;

/// <summary>
/// The request-body checks as the proxy runs them: inspect; for an accepted body, extract the text the estimate
/// counts and add <c>stream_options.include_usage</c>. Promises: a refusal has a reason; an accepted body is valid
/// UTF-8 and its model and user are safe to store; nothing later throws; the rewritten body is accepted again
/// with the same facts and asks for usage.
/// </summary>
internal static class RequestBodyTarget
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static FuzzTarget Create() => new("request-body", Seeds.RequestBodies(), Run);

    public static void Run(byte[] body, Random random)
    {
        var facts = RequestInspector.Inspect(body, out var error);
        if (facts is null)
        {
            InvariantViolation.Check(!string.IsNullOrEmpty(error), "refused without a reason");
            return;
        }

        InvariantViolation.Check(error is null, "accepted with an error");
        InvariantViolation.Check(Utf8.IsValid(body), "accepted invalid UTF-8");
        CheckStorable(facts.Model, RequestInspector.MaxModelLength, "model");
        CheckStorable(facts.User, RequestInspector.MaxUserLength, "user");

        var (_, messages) = RequestText.Extract(body);
        InvariantViolation.Check(messages >= 0, "negative message count");

        var injected = StreamOptionsInjector.Inject(body, body.Length, facts);
        var again = RequestInspector.Inspect(injected, out var reason);
        InvariantViolation.Check(again is not null, "the body with include_usage was refused: " + reason);
        InvariantViolation.Check(again!.IncludeUsage && again.HasStreamOptions, "include_usage not set");
        InvariantViolation.Check(
            again.Model == facts.Model && again.Stream == facts.Stream && again.User == facts.User && again.MaxOutputTokens == facts.MaxOutputTokens,
            "the rewrite changed what the request says");
    }

    /// <summary>A string that goes into an event: bounded, no control character (Postgres text refuses NUL), valid
    /// UTF-16 (the event is serialized to JSON).</summary>
    internal static void CheckStorable(string? value, int maxLength, string what)
    {
        if (value is null)
        {
            return;
        }

        InvariantViolation.Check(value.Length <= maxLength, what + " too long");
        InvariantViolation.Check(JsonText.Printable(value) == value, what + " holds a control character");
        try
        {
            _ = Strict.GetByteCount(value);
        }
        catch (EncoderFallbackException)
        {
            throw new InvariantViolation(what + " holds a lone surrogate");
        }
    }
}
