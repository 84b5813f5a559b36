"""PyTorch peer of descent4j's NextWordFullBatch (issue 16): full-batch next-word prediction, one-hot previous
word, a linear softmax model with bias, Adam (lr 1e-3), a fixed number of full-batch steps.

Usage: torch_nextword.py EXAMPLES_CSV [--steps 100] [--dtype float64|float32] [--threads N]
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
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    dtype = getattr(torch, args.dtype)
    with open(args.examples) as f:
        header = dict(item.split("=") for item in f.readline().split())
        features_count, classes = int(header["features"]), int(header["classes"])
        pairs = [tuple(map(int, line.split(","))) for line in f if line.strip()]
    previous = torch.tensor([p for p, _ in pairs])
    labels = torch.tensor([n for _, n in pairs])
    features = torch.nn.functional.one_hot(previous, features_count).to(dtype)   # dense one-hot, as a user would write it
    torch.manual_seed(1)
    model = torch.nn.Linear(features_count, classes, bias=True).to(dtype)
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        optimiser.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(features), labels)
        loss.backward()
        optimiser.step()
        times.append((time.perf_counter() - start) * 1e3)
    with torch.no_grad():
        final = torch.nn.functional.cross_entropy(model(features), labels).item()
    steady = times[1:] if len(times) > 1 else times
    print(f"torch {args.dtype} threads={args.threads}: median {statistics.median(steady):.2f} ms/step "
          f"(min {min(steady):.2f}, max {max(steady):.2f}; first step {times[0]:.2f} ms), final train loss {final:.5f}, "
          f"torch {torch.__version__}, examples={len(pairs)} features={features_count} classes={classes}")


if __name__ == "__main__":
    main()
