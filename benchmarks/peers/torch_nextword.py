"""PyTorch peer of descent4j's NextWordFullBatch (issue 16): full-batch next-word prediction, one-hot previous
word, a linear softmax model with bias, Adam (lr 1e-3), a fixed number of full-batch steps.

Usage: torch_nextword.py EXAMPLES_CSV [--steps 100] [--dtype float64|float32] [--threads N] [--model lookup|dense]

--model lookup (the default) computes the linear layer on a one-hot input as what it is, a column lookup:
logits = W[:, previous] + b through torch.nn.Embedding (dense gradients, so Adam updates all of W every step,
exactly as for nn.Linear); --model dense multiplies a dense one-hot matrix by nn.Linear, as a naive user would,
which costs a full matrix product and depends on the BLAS torch was built with (Debian's torch 1.13 uses the
generic reference BLAS, which makes it seconds per step).
EXAMPLES_CSV is what `NextWordFullBatch --export` writes: a header `features=F classes=C`, then one
`feature,label` line per example in Tribuo's ids (the problem exactly as descent4j's Tribuo model sees it).
Prints one line: `torch DTYPE threads=N: median X ms/step ...`. Not part of CI.
"""
import argparse
import statistics
import time

import torch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("examples")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--model", choices=["lookup", "dense"], default="lookup")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    dtype = getattr(torch, args.dtype)
    with open(args.examples) as f:
        header = dict(item.split("=") for item in f.readline().split())
        features_count, classes = int(header["features"]), int(header["classes"])
        pairs = [tuple(map(int, line.split(","))) for line in f if line.strip()]
    previous = torch.tensor([p for p, _ in pairs])
    labels = torch.tensor([n for _, n in pairs])
    torch.manual_seed(1)
    if args.model == "dense":
        features = torch.nn.functional.one_hot(previous, features_count).to(dtype)
        model = torch.nn.Linear(features_count, classes, bias=True).to(dtype)
        forward = lambda: model(features)
        parameters = list(model.parameters())
    else:
        weights = torch.nn.Embedding(features_count, classes).to(dtype)   # row j = column j of W
        torch.nn.init.uniform_(weights.weight, -features_count ** -0.5, features_count ** -0.5)
        bias = torch.nn.Parameter(torch.zeros(classes, dtype=dtype))
        forward = lambda: weights(previous) + bias
        parameters = [weights.weight, bias]
    optimiser = torch.optim.Adam(parameters, lr=1e-3)
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        optimiser.zero_grad()
        loss = torch.nn.functional.cross_entropy(forward(), labels)
        loss.backward()
        optimiser.step()
        times.append((time.perf_counter() - start) * 1e3)
    with torch.no_grad():
        final = torch.nn.functional.cross_entropy(forward(), labels).item()
    steady = times[1:] if len(times) > 1 else times
    print(f"torch {args.model} {args.dtype} threads={args.threads}: median {statistics.median(steady):.2f} ms/step "
          f"(min {min(steady):.2f}, max {max(steady):.2f}; first step {times[0]:.2f} ms), final train loss {final:.5f}, "
          f"torch {torch.__version__}, examples={len(pairs)} features={features_count} classes={classes}")


if __name__ == "__main__":
    main()
