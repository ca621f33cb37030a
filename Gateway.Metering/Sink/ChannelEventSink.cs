using System.Threading.Channels;
using Gateway.Metering.Events;
using Microsoft.Extensions.Options;

namespace Gateway.Metering.Sink;

/// <summary>The in-process bounded queue between the request path and <see cref="EventFlusherService"/>.</summary>
internal sealed class ChannelEventSink : IEventSink
{
    private readonly Channel<MeteringEvent> _channel;

    public ChannelEventSink(IOptions<SinkOptions> options)
    {
        _channel = Channel.CreateBounded<MeteringEvent>(new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    public ChannelReader<MeteringEvent> Reader => _channel.Reader;

    public int Count => _channel.Reader.Count;

    public ValueTask WriteAsync(MeteringEvent meteringEvent) => _channel.Writer.WriteAsync(meteringEvent);

    /// <summary>No more events will come (shutdown, after the server stopped taking requests).</summary>
    public void Close() => _channel.Writer.TryComplete();
}
