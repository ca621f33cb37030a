using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Gateway.Metering.Usage;

/// <summary>
/// Scans one JSON document fed in pieces, without ever holding the whole of it: it keeps only the bytes of a token
/// split across two pieces. It picks out what metering needs (the last non-null usage object at the root,
/// under <c>response</c> or under <c>x_groq</c>, the model, whether an error is present, whether <c>choices</c> is an
/// empty array) and appends delivered text to a caller's builder for estimation.
/// </summary>
internal sealed class JsonResponseScanner : IDisposable
{
    /// <summary>A single token larger than this (a giant base64 embedding, hostile input) stops the scan.</summary>
    private const int MaxCarryBytes = 32 * 1024 * 1024;

    /// <summary>A usage object nested deeper than this is ignored: real ones are two levels deep, and the readers and
    /// the event's JSON (default depth 64) must never meet a deeper one.</summary>
    private const int MaxUsageDepth = 8;

    private readonly DeliveredText? _text;
    private TextCapture _capture;
    private JsonReaderState _state;
    private byte[]? _carry;
    private int _carryLength;
    private long _offset;

    private Pending _pending;
    private RootProperty _rootProperty;
    private bool _collectText;
    private bool _choicesOpened;

    private ArrayBufferWriter<byte>? _mirrorBuffer;
    private Utf8JsonWriter? _mirror;
    private int _mirrorDepth;
    private bool _mirrorIsGroq;
    private bool _mirrorTooDeep;

    public JsonResponseScanner(TextCapture capture, DeliveredText? text)
    {
        _capture = capture;
        _text = text;
        Reset(capture);
    }

    private enum Pending { None, Usage, GroqUsage, Model, Type, Error, Choices }

    private enum RootProperty { Other, Response, XGroq, Message }

    /// <summary>The compact JSON of the last non-null usage object seen (root or <c>response.usage</c>).</summary>
    public byte[]? Usage { get; private set; }

    /// <summary>The last non-null <c>x_groq.usage</c>, used only when no top-level usage came.</summary>
    public byte[]? GroqUsage { get; private set; }

    public string? Model { get; private set; }

    /// <summary>The root <c>type</c> string (Responses API events).</summary>
    public string? Type { get; private set; }

    /// <summary>A root <c>error</c> that is not null.</summary>
    public bool HasError { get; private set; }

    /// <summary>The root <c>choices</c> was <c>[]</c>.</summary>
    public bool ChoicesEmpty { get; private set; }

    /// <summary>The bytes were not JSON (or a token was too large); what was captured before stays valid.</summary>
    public bool Invalid { get; private set; }

    /// <summary>Where the root <c>"usage":null</c> property sits (from its name's opening quote to the end of
    /// <c>null</c>) as offsets into the fed bytes; (-1, -1) when there is none. Lets a caller remove a usage field
    /// the client never asked for.</summary>
    public (long Start, long End) NullUsageSpan { get; private set; }

    /// <summary>Starts a new document, keeping nothing from the last one.</summary>
    public void Reset(TextCapture capture)
    {
        _capture = capture;
        _state = new JsonReaderState(new JsonReaderOptions { MaxDepth = 256 });
        _carryLength = 0;
        _offset = 0;
        _pending = Pending.None;
        _rootProperty = RootProperty.Other;
        _collectText = false;
        _choicesOpened = false;
        DisposeMirror();
        Usage = null;
        GroqUsage = null;
        Model = null;
        Type = null;
        HasError = false;
        ChoicesEmpty = false;
        Invalid = false;
        NullUsageSpan = (-1, -1);
    }

    /// <summary>Feeds the next piece; <paramref name="isFinal"/> on the last one.</summary>
    public void Feed(ReadOnlySpan<byte> piece, bool isFinal)
    {
        if (Invalid)
        {
            return;
        }

        ReadOnlySpan<byte> input = piece;
        if (_carryLength > 0)
        {
            EnsureCarry(_carryLength + piece.Length);
            piece.CopyTo(_carry.AsSpan(_carryLength));
            _carryLength += piece.Length;
            input = _carry.AsSpan(0, _carryLength);
        }

        var reader = new Utf8JsonReader(input, isFinal, _state);
        try
        {
            while (reader.Read())
            {
                OnToken(ref reader);
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON, or a name with an escaped lone surrogate (the reader's comparisons throw on those): what was
            // captured so far stays; the bytes still pass to the client.
            Invalid = true;
            return;
        }

        _state = reader.CurrentState;
        var consumed = (int)reader.BytesConsumed;
        var rest = input[consumed..];
        _offset += consumed;
        if (rest.Length > MaxCarryBytes)
        {
            Invalid = true;
            return;
        }

        if (rest.Length > 0)
        {
            EnsureCarry(rest.Length);
            rest.CopyTo(_carry); // may overlap when input is the carry itself; CopyTo is memmove-safe
        }

        _carryLength = rest.Length;
    }

    private void OnToken(ref Utf8JsonReader reader)
    {
        if (_mirror is not null)
        {
            Mirror(ref reader);
            return;
        }

        var choicesOpened = _choicesOpened;
        _choicesOpened = false;
        switch (reader.TokenType)
        {
            case JsonTokenType.PropertyName:
                OnPropertyName(ref reader);
                return;
            case JsonTokenType.StartObject:
                if (_pending is Pending.Usage or Pending.GroqUsage)
                {
                    StartMirror(ref reader, _pending == Pending.GroqUsage);
                }
                else if (_pending == Pending.Error)
                {
                    HasError = true;
                }

                break;
            case JsonTokenType.StartArray:
                _choicesOpened = _pending == Pending.Choices;
                break;
            case JsonTokenType.EndArray:
                if (choicesOpened)
                {
                    ChoicesEmpty = true;
                }

                break;
            case JsonTokenType.String:
                if (_pending == Pending.Model)
                {
                    Model ??= JsonText.ReadLabel(ref reader);
                }
                else if (_pending == Pending.Type)
                {
                    Type = JsonText.ReadLabel(ref reader);
                }
                else if (_pending == Pending.Error)
                {
                    HasError = true;
                }
                else if (_collectText)
                {
                    AppendText(ref reader);
                }

                break;
            case JsonTokenType.Null:
                if (_pending == Pending.Usage && reader.CurrentDepth == 1)
                {
                    NullUsageSpan = (NullUsageStart, _offset + reader.BytesConsumed);
                }

                break;
            case JsonTokenType.True or JsonTokenType.Number when _pending == Pending.Error:
                HasError = true;
                break;
        }

        _pending = Pending.None;
        _collectText = false;
    }

    private long NullUsageStart { get; set; }

    private void OnPropertyName(ref Utf8JsonReader reader)
    {
        var depth = reader.CurrentDepth;
        _pending = Pending.None;
        _collectText = false;
        if (depth == 1)
        {
            _rootProperty = RootProperty.Other;
            if (reader.ValueTextEquals("usage"u8) || reader.ValueTextEquals("usageMetadata"u8))
            {
                _pending = Pending.Usage;
                NullUsageStart = _offset + reader.TokenStartIndex;
            }
            else if (reader.ValueTextEquals("model"u8) || reader.ValueTextEquals("modelVersion"u8))
            {
                _pending = Pending.Model;
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                _pending = Pending.Error;
            }
            else if (reader.ValueTextEquals("choices"u8))
            {
                _pending = Pending.Choices;
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                _pending = Pending.Type;
            }
            else if (reader.ValueTextEquals("response"u8))
            {
                _rootProperty = RootProperty.Response;
            }
            else if (reader.ValueTextEquals("x_groq"u8))
            {
                _rootProperty = RootProperty.XGroq;
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                _rootProperty = RootProperty.Message; // Anthropic message_start
            }
            else if (_capture == TextCapture.ResponsesStreamEvent && reader.ValueTextEquals("delta"u8))
            {
                _collectText = true;
            }

            return;
        }

        if (depth == 2 && _rootProperty is RootProperty.Response or RootProperty.Message)
        {
            if (reader.ValueTextEquals("usage"u8))
            {
                _pending = Pending.Usage;
            }
            else if (reader.ValueTextEquals("model"u8))
            {
                _pending = Pending.Model;
            }

            return;
        }

        if (depth == 2 && _rootProperty == RootProperty.XGroq && reader.ValueTextEquals("usage"u8))
        {
            _pending = Pending.GroqUsage;
            return;
        }

        _collectText = _capture switch
        {
            TextCapture.Completions => reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("text"u8)
                || reader.ValueTextEquals("refusal"u8) || reader.ValueTextEquals("arguments"u8)
                || reader.ValueTextEquals("reasoning_content"u8) || reader.ValueTextEquals("reasoning"u8),
            TextCapture.ResponsesObject => reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("arguments"u8),
            TextCapture.Anthropic => reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("thinking"u8)
                || reader.ValueTextEquals("partial_json"u8),
            TextCapture.Gemini => reader.ValueTextEquals("text"u8),
            _ => false,
        };
    }

    private void AppendText(ref Utf8JsonReader reader)
    {
        if (_text is null)
        {
            return;
        }

        // Unescaped into a pooled buffer, not a string per delta: this runs on every chunk of every stream. Upstream
        // bytes can be anything: text that is not valid UTF-8 is decoded leniently instead (JsonText).
        var needed = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        var chars = ArrayPool<char>.Shared.Rent(Math.Max(needed, 16));
        try
        {
            ReadOnlySpan<char> value;
            try
            {
                value = chars.AsSpan(0, reader.CopyString(chars));
            }
            catch (InvalidOperationException)
            {
                value = JsonText.Read(ref reader);
            }

            _text.Append(value);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private void StartMirror(ref Utf8JsonReader reader, bool groq)
    {
        _mirrorBuffer ??= new ArrayBufferWriter<byte>(256);
        _mirrorBuffer.ResetWrittenCount();
        _mirror = new Utf8JsonWriter(_mirrorBuffer); // usage comes once a document: not worth pooling
        _mirrorDepth = reader.CurrentDepth;
        _mirrorIsGroq = groq;
        _mirrorTooDeep = false;
        _mirror.WriteStartObject();
    }

    private void Mirror(ref Utf8JsonReader reader)
    {
        var writer = _mirror!;
        _mirrorTooDeep |= reader.CurrentDepth - _mirrorDepth > MaxUsageDepth;
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject: writer.WriteStartObject(); break;
            case JsonTokenType.StartArray: writer.WriteStartArray(); break;
            case JsonTokenType.EndArray: writer.WriteEndArray(); break;
            case JsonTokenType.EndObject: writer.WriteEndObject(); break;
            // Names and strings straight from their UTF-8 when plain and valid (the writer escapes the same either way);
            // anything else through the lenient decoder (upstream bytes can be anything).
            case JsonTokenType.PropertyName when !reader.ValueIsEscaped && !reader.HasValueSequence && Utf8.IsValid(reader.ValueSpan): writer.WritePropertyName(reader.ValueSpan); break;
            case JsonTokenType.PropertyName: writer.WritePropertyName(JsonText.Read(ref reader)); break;
            case JsonTokenType.String when !reader.ValueIsEscaped && !reader.HasValueSequence && Utf8.IsValid(reader.ValueSpan): writer.WriteStringValue(reader.ValueSpan); break;
            case JsonTokenType.String: writer.WriteStringValue(JsonText.Read(ref reader)); break;
            case JsonTokenType.Number: writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true); break;
            case JsonTokenType.True: writer.WriteBooleanValue(true); break;
            case JsonTokenType.False: writer.WriteBooleanValue(false); break;
            case JsonTokenType.Null: writer.WriteNullValue(); break;
        }

        if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == _mirrorDepth)
        {
            writer.Flush();
            var bytes = _mirrorBuffer!.WrittenSpan.ToArray();
            if (_mirrorTooDeep)
            {
                // not a usage block of any provider: as if none had come
            }
            else if (_mirrorIsGroq)
            {
                GroqUsage = bytes;
            }
            else
            {
                Usage = bytes;
            }

            DisposeMirror();
            _pending = Pending.None;
        }
    }

    private void DisposeMirror()
    {
        _mirror?.Dispose();
        _mirror = null;
    }

    private void EnsureCarry(int length)
    {
        if (_carry is not null && _carry.Length >= length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(length, 4096));
        if (_carry is not null)
        {
            _carry.AsSpan(0, _carryLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_carry);
        }

        _carry = bigger;
    }

    public void Dispose()
    {
        DisposeMirror();
        if (_carry is not null)
        {
            ArrayPool<byte>.Shared.Return(_carry);
            _carry = null;
        }
    }
}
