namespace Gateway.Simulator;

internal enum SimulatedApi
{
    Chat,
    Completions,
    Responses,
    Embeddings,
}
