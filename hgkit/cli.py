"""The ``hgkit`` command line.

Commands available now:

* ``hgkit benchmark``: node classification, models x datasets x seeded runs with the
  ED-HNN / AllSet protocol (:mod:`hgkit.tasks.benchmark`); with no arguments the quick
  synthetic HSBM suite. Prints a Markdown table, optionally writes JSON records.
* ``hgkit distill``: LightHGNN / LightHGNN+ distillation table, MLP vs teacher vs students
  (:mod:`hgkit.tasks.distill_bench`), and with ``--speed`` the inference-speed experiment
  (:mod:`hgkit.tasks.distill_speed`).
* ``hgkit reconstruct``: recover hypergraphs from projected graphs (max-clique, clique
  cover, SHyRe): one graph file to a hyperedge file, or the benchmark table over ``shyre-*``
  datasets (:mod:`hgkit.tasks.reconstruction_bench`).
* ``hgkit graph-classification``: EHGNN (HyperDrop) and baselines with the 10-fold protocol on
  TU datasets (:mod:`hgkit.tasks.graph_classification_bench`).
* ``hgkit hyperedge-prediction``: neural hyperedge predictors (HGNN / ED-HNN encoders, set
  decoders) against classical set scores, AUROC / AP per negative type (SNS, MNS, CNS)
  (:mod:`hgkit.tasks.hyperedge_prediction_bench`).
* ``hgkit holp``: Benson et al.'s higher-order link prediction (open triangles that close),
  every score of the ScHoLP table with ``--label-mode reference|correct|both``
  (:mod:`hgkit.tasks.holp_bench`).
* ``hgkit info``: versions, threads and machine.
* ``hgkit datasets list|info NAME|verify [NAME ...]``: the dataset registry, file details and
  sha256 verification of the files present under ``--data-root``.

Every command returns an exit code: 0 on success, 2 on a usage error (unknown dataset or model
name, bad flag), with a message on stderr.

Example:
    >>> main(["benchmark", "--models", "gcn"])  # doctest: +SKIP
    hgkit benchmark: Unknown model(s) ['gcn']; valid: mlp, hgnn, ...
    2
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hgkit.tasks.benchmark import markdown_table

__all__ = ["main", "build_parser", "markdown_table"]



def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _int_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse ``type`` accepting integers ``>= minimum``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer (got {text!r})") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum} (got {value})")
        return value
    return parse


_positive_int = _int_at_least(1)
_nonnegative_int = _int_at_least(0)


def _fanouts(text: str) -> tuple[int, ...]:
    from hgkit.loader.sampler import check_num_neighbors  # the loader's one rule

    try:
        values = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated ints, e.g. 10,10 (got "
                                         f"{text!r})") from None
    try:
        return check_num_neighbors(values)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected fan-outs >= 1 or -1 (got {text!r})"
                                         ) from None


def _speed_settings(text: str) -> list[tuple[str, int, tuple[int, int]]]:
    out = []
    for item in _csv(text):
        try:
            name, edges, sizes = item.split(":")
            lo, hi = sizes.split("-")
            out.append((name, int(edges), (int(lo), int(hi))))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected NAME:EDGES:LO-HI items such as size5:55000:2-8 (got {item!r})"
            ) from None
    return out


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``hgkit`` command.

    Example:
        >>> build_parser().parse_args(["benchmark", "--runs", "2"]).runs
        2
    """
    from hgkit import __version__

    parser = argparse.ArgumentParser(
        prog="hgkit", description="hgkit: hypergraph neural networks in PyTorch.")
    parser.add_argument("--version", action="version", version=f"hgkit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="<command>")

    bench = commands.add_parser(
        "benchmark", help="node classification: models x datasets x seeded runs (ED-HNN table)",
        description="Node-classification benchmark with the ED-HNN / AllSet protocol (random "
                    "50/25/25 splits, self-loops, best-validation selection). With no "
                    "--datasets it runs the quick synthetic suite (hsbm-homophilic, "
                    "hsbm-heterophilic). Prints a Markdown table with the published number "
                    "beside ours.")
    bench.add_argument("--data-root", metavar="DIR", default=None,
                       help="folder with one sub-folder per dataset in the upstream layout "
                            "(DIR/<name>/raw/...; default $HGKIT_DATA, else the user cache)")
    bench.add_argument("--datasets", type=_csv, default=None, metavar="A,B",
                       help="comma-separated dataset names: folder names under --data-root "
                            "or hsbm-homophilic / hsbm-heterophilic (default: the two hsbm)")
    bench.add_argument("--models", type=_csv, default=None, metavar="X,Y",
                       help="comma-separated model names from the config (default: mlp, hgnn, "
                            "hgnnp, hnhn, hypergcn, unigcnii, allsettransformer, edhnn)")
    bench.add_argument("--runs", type=_positive_int, default=None,
                       help="runs per row (default: the config's; 10 for real datasets)")
    bench.add_argument("--epochs", type=_positive_int, default=None,
                       help="training epochs per run (default: the config's; 500 for real "
                            "datasets)")
    bench.add_argument("--patience", type=_positive_int, default=None,
                       help="early-stopping patience in epochs (default: none, as the "
                            "protocol)")
    bench.add_argument("--seed", type=_nonnegative_int, default=0, help="base seed (default 0)")
    bench.add_argument("--first-run", type=_nonnegative_int, default=0, metavar="N",
                       help="start at run N of the split sequence (split a long row over "
                            "processes, then combine the JSON files with --merge)")
    bench.add_argument("--merge", type=_csv, default=None, metavar="A.json,B.json",
                       help="train nothing: combine the rows of earlier --json files (same "
                            "dataset and model, disjoint runs) and print the table")
    bench.add_argument("--config", metavar="PATH", default=None,
                       help="benchmark TOML (default: hgkit/tasks/configs/"
                            "node_classification.toml)")
    bench.add_argument("--threads", type=_positive_int, default=None,
                       help="torch intra-op threads (default: torch's choice)")
    bench.add_argument("--json", metavar="PATH", default=None,
                       help="write the records (one per row, plus an env record) as JSON")
    bench.add_argument("--markdown", metavar="PATH", default=None,
                       help="also write the Markdown table to PATH")
    bench.add_argument("--no-download", action="store_true",
                       help="never download: missing dataset files are an error")
    bench.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    bench.set_defaults(handler=_benchmark)

    dist = commands.add_parser(
        "distill", help="LightHGNN(+) distillation into MLPs: accuracy table and speed",
        description="Distil a hypergraph teacher (HGNN) into MLPs with LightHGNN and "
                    "LightHGNN+ (LightHGNN protocol: 20/100 per-class splits, seeds "
                    "0..runs-1, 200 epochs). Prints MLP vs teacher vs students. --speed adds "
                    "the inference-speed experiment on synthetic hypergraphs; --speed-only "
                    "runs just that.")
    dist.add_argument("--data-root", metavar="DIR", default=None,
                      help="folder with one sub-folder per dataset in the upstream layout "
                           "(default $HGKIT_DATA, else the user cache)")
    dist.add_argument("--datasets", type=_csv, default=None, metavar="A,B",
                      help="comma-separated dataset names (default: allset-cocitation-cora, "
                           "allset-cocitation-citeseer, allset-coauthorship-cora, "
                           "allset-20newsW100; hsbm-homophilic is a small synthetic set)")
    dist.add_argument("--models", type=_csv, default=None, metavar="X,Y",
                      help="rows among mlp, teacher, lighthgnn, lighthgnn+ (default: all)")
    dist.add_argument("--runs", type=_positive_int, default=5, help="seeds per row (default 5)")
    dist.add_argument("--seed", type=_nonnegative_int, default=0,
                      help="first seed (default 0)")
    dist.add_argument("--epochs", type=_positive_int, default=200,
                      help="epochs of teacher and students (default 200)")
    dist.add_argument("--setting", choices=("transductive", "production", "both"),
                      default="transductive", help="evaluation setting (default transductive)")
    dist.add_argument("--inductive-ratio", type=float, default=0.9, metavar="R",
                      help="share of test nodes unseen in the production setting (default 0.9)")
    dist.add_argument("--teacher", choices=("hgnn", "hgnnp"), default="hgnn",
                      help="teacher model (default hgnn)")
    dist.add_argument("--lamb", type=float, default=0.0,
                      help="weight of the label cross-entropy in [0, 1] (default 0)")
    dist.add_argument("--tau", type=float, default=1.0, help="KD temperature (default 1)")
    dist.add_argument("--reference-loss", action="store_true",
                      help="use the official code's effective KD target (see hgkit.tasks."
                           "distill)")
    dist.add_argument("--speed", action="store_true",
                      help="also run the inference-speed experiment")
    dist.add_argument("--speed-only", action="store_true",
                      help="run only the inference-speed experiment")
    dist.add_argument("--speed-nodes", type=_positive_int, default=55_000, metavar="N",
                      help="nodes of the synthetic speed hypergraphs (default 55000)")
    dist.add_argument("--speed-settings", type=_speed_settings, default=None,
                      metavar="NAME:EDGES:LO-HI,...",
                      help="densities of the speed experiment, e.g. size5:55000:2-8,"
                           "size50:11000:25-75 (the default, scaled to --speed-nodes)")
    dist.add_argument("--speed-repeats", type=_positive_int, default=20, metavar="K",
                      help="timed repeats per model, median reported (default 20)")
    dist.add_argument("--threads", type=_positive_int, default=None,
                      help="torch intra-op threads (default: torch's choice)")
    dist.add_argument("--json", metavar="PATH", default=None, help="write the records as JSON")
    dist.add_argument("--markdown", metavar="PATH", default=None,
                      help="also write the Markdown table(s) to PATH")
    dist.add_argument("--no-download", action="store_true",
                      help="never download: missing dataset files are an error")
    dist.add_argument("--no-progress", action="store_true", help="hide progress bars")
    dist.set_defaults(handler=_distill)

    rec = commands.add_parser(
        "reconstruct", help="recover a hypergraph from its projected graph",
        description="Reconstruct hyperedges from a projected (clique-expanded) graph. With "
                    "GRAPH: read an edge list (or a HIF hypergraph, projected first), "
                    "reconstruct it and write the hyperedges (-o OUT: HIF for .json, else one "
                    "hyperedge per line). Without GRAPH: the benchmark over shyre-* datasets "
                    "(Jaccard against the query hypergraph).")
    rec.add_argument("graph", nargs="?", metavar="GRAPH",
                     help="edge list file ('u v' per line) or HIF .json; omit for the "
                          "benchmark")
    rec.add_argument("--train", metavar="HYPERGRAPH", default=None,
                     help="training hypergraph for --method shyre (one hyperedge per line, "
                          "or HIF)")
    rec.add_argument("--method", choices=("shyre", "maxclique", "cover"), default=None,
                     help="with GRAPH: shyre when --train is given, else maxclique")
    rec.add_argument("--truth", metavar="HYPERGRAPH", default=None,
                     help="with GRAPH: score the result against these hyperedges")
    rec.add_argument("-o", "--output", metavar="OUT", default=None,
                     help="with GRAPH: where to write the hyperedges (default stdout)")
    rec.add_argument("--budget", type=float, default=None,
                     help="SHyRe clique-sampler budget (default: per dataset, else 1e4)")
    rec.add_argument("--max-cliques", type=_positive_int, default=None, metavar="N",
                     help="stop with an error after N maximal cliques")
    rec.add_argument("--time-limit", type=float, default=None, metavar="S",
                     help="stop maximal-clique enumeration with an error after S seconds")
    rec.add_argument("--data-root", metavar="DIR", default=None,
                     help="benchmark: folder with one sub-folder per dataset")
    rec.add_argument("--datasets", type=_csv, default=None, metavar="A,B",
                     help="benchmark: dataset names (default: shyre-enron, shyre-crime, "
                          "shyre-foursquare, shyre-school, shyre-school2, shyre-dblp)")
    rec.add_argument("--models", type=_csv, default=None, metavar="X,Y",
                     help="benchmark: methods among maxclique, cover, shyre (default all)")
    rec.add_argument("--runs", type=_positive_int, default=3,
                     help="benchmark: seeds per seeded method (default 3)")
    rec.add_argument("--seed", type=_nonnegative_int, default=123,
                     help="first seed (default 123, as the official code)")
    rec.add_argument("--threads", type=_positive_int, default=None,
                     help="torch intra-op threads (default: torch's choice)")
    rec.add_argument("--json", metavar="PATH", default=None, help="write the records as JSON")
    rec.add_argument("--markdown", metavar="PATH", default=None,
                     help="also write the Markdown table to PATH")
    rec.add_argument("--no-download", action="store_true",
                     help="never download: missing dataset files are an error")
    rec.add_argument("--no-progress", action="store_true", help="hide progress bars")
    rec.set_defaults(handler=_reconstruct)

    gcl = commands.add_parser(
        "graph-classification", help="graph classification via the dual hypergraph (EHGNN)",
        description="EHGNN HyperDrop, its HyperCluster variant and baselines (gcn-mean, "
                    "gcn-sum, hgnn-mean) with the "
                    "EHGNN 10-fold protocol (fold files; validation = previous fold's test; "
                    "early stopping on validation loss) on TU datasets.")
    gcl.add_argument("--data-root", metavar="DIR", default=None,
                     help="folder with one sub-folder per dataset in the upstream layout")
    gcl.add_argument("--datasets", type=_csv, default=None, metavar="A,B",
                     help="TU dataset names (default: tu-MUTAG, tu-PROTEINS, tu-IMDB-BINARY, "
                          "tu-NCI1)")
    gcl.add_argument("--models", type=_csv, default=None, metavar="X,Y",
                     help="models (default: hyperdrop, hypercluster, gcn-mean, gcn-sum, "
                          "hgnn-mean)")
    gcl.add_argument("--seed", type=_nonnegative_int, default=42,
                     help="model seed (default 42, as EHGNN)")
    gcl.add_argument("--epochs", type=_positive_int, default=500,
                     help="maximum epochs per fold (default 500)")
    gcl.add_argument("--patience", type=_positive_int, default=50,
                     help="early-stopping patience on validation loss (default 50)")
    gcl.add_argument("--hidden", type=_positive_int, default=128, help="hidden size (128)")
    gcl.add_argument("--folds", type=_positive_int, default=None, metavar="K",
                     help="run only the first K folds (quick checks)")
    gcl.add_argument("--threads", type=_positive_int, default=None,
                     help="torch intra-op threads (default: torch's choice)")
    gcl.add_argument("--json", metavar="PATH", default=None, help="write the records as JSON")
    gcl.add_argument("--markdown", metavar="PATH", default=None,
                     help="also write the Markdown table to PATH")
    gcl.add_argument("--no-download", action="store_true",
                     help="never download: missing dataset files are an error")
    gcl.add_argument("--no-progress", action="store_true", help="hide progress bars")
    gcl.set_defaults(handler=_graph_classification)

    hep = commands.add_parser(
        "hyperedge-prediction", help="hyperedge prediction: neural predictors vs classical scores",
        description="Split the distinct hyperedges (random 60/20/20 with a node cover forced "
                    "into train, AHP; temporal for scholp-*), train on the training hyperedges "
                    "only with fresh negatives every epoch, and score the test hyperedges "
                    "against fixed SNS / MNS / CNS negatives (AUROC, AP).")
    hep.add_argument("--data-root", metavar="DIR", default=None,
                     help="folder with one sub-folder per dataset in the upstream layout")
    hep.add_argument("--datasets", type=_csv, default=None, metavar="A,B",
                     help="datasets (default: cocitation Cora, Citeseer, coauthorship Cora, "
                          "email-Enron, contact-primary-school, contact-high-school, "
                          "NDC-classes)")
    hep.add_argument("--models", type=_csv, default=None, metavar="X,Y",
                     help="<encoder>-<decoder> (e.g. hgnn-maxmin, edhnn-mean, hgnn-pma) or a "
                          "classical score (harm_mean, arith_mean, jaccard, katz, ...); "
                          "default: three neural models and every classical score")
    hep.add_argument("--negatives", type=_csv, default=None, metavar="X,Y",
                     help="test negative types (default: sns,mns,cns)")
    hep.add_argument("--train-sampler", default="mix",
                     choices=("uns", "sns", "mns", "cns", "mix"),
                     help="negatives drawn each training epoch (default mix)")
    hep.add_argument("--runs", type=_positive_int, default=3, help="seeded runs (3)")
    hep.add_argument("--seed", type=_nonnegative_int, default=0, help="base seed (0)")
    hep.add_argument("--epochs", type=_positive_int, default=200, help="max epochs (200)")
    hep.add_argument("--threads", type=_positive_int, default=None,
                     help="torch intra-op threads (default: torch's choice)")
    hep.add_argument("--json", metavar="PATH", default=None, help="write the records as JSON")
    hep.add_argument("--markdown", metavar="PATH", default=None,
                     help="also write the Markdown table to PATH")
    hep.add_argument("--no-download", action="store_true",
                     help="never download: missing dataset files are an error")
    hep.add_argument("--no-progress", action="store_true", help="hide progress bars")
    hep.set_defaults(handler=_hyperedge_prediction)

    holp = commands.add_parser(
        "holp", help="higher-order link prediction: which open triangles close (ScHoLP)",
        description="Benson et al. (PNAS 2018): temporal 80/20 split of timestamped simplices, "
                    "open triangles of the weighted projection, every score of the paper's "
                    "Table 3 (AUC-PR / random).")
    holp.add_argument("--data-root", metavar="DIR", default=None,
                      help="folder with one sub-folder per dataset in the upstream layout")
    holp.add_argument("--datasets", type=_csv, default=None, metavar="A,B",
                      help="scholp-* datasets (default: email-Enron, contact-primary-school, "
                           "contact-high-school, NDC-classes, email-Eu, tags-math-sx)")
    holp.add_argument("--scores", type=_csv, default=None, metavar="X,Y",
                      help="score names, or 'all' (default: the Table 3 columns harmonic, "
                           "geometric, arithmetic, adamic_adar, proj_graph_PA, UPKatz, UPPR, "
                           "logreg_supervised)")
    holp.add_argument("--label-mode", choices=("reference", "correct", "both"),
                      default="reference",
                      help="'reference': the labels of the published pipeline (a closed "
                           "triangle counts only if its lowest-degree node has the smallest "
                           "id); 'correct': every closure (default reference)")
    holp.add_argument("--max-dense-nodes", type=_positive_int, default=5000, metavar="N",
                      help="largest projected graph the walk scores invert densely (5000)")
    holp.add_argument("--threads", type=_positive_int, default=None,
                      help="torch intra-op threads (default: torch's choice)")
    holp.add_argument("--json", metavar="PATH", default=None, help="write the records as JSON")
    holp.add_argument("--markdown", metavar="PATH", default=None,
                      help="also write the Markdown table to PATH")
    holp.add_argument("--no-download", action="store_true",
                      help="never download: missing dataset files are an error")
    holp.add_argument("--no-progress", action="store_true", help="hide progress bars")
    holp.set_defaults(handler=_holp)

    trn = commands.add_parser(
        "train", help="train one model on one dataset: full-batch, mini-batch, distributed",
        description="Train one node-classification model on one dataset with the benchmark's "
                    "settings and splits. --batch-size switches to mini-batch training on "
                    "sampled neighbourhoods; --distributed trains data-parallel with "
                    "torch.distributed (gloo) when launched by torchrun, e.g. `torchrun "
                    "--standalone --nproc-per-node 2 -m hgkit train --distributed "
                    "--batch-size 1024`.")
    trn.add_argument("--data-root", metavar="DIR", default=None,
                     help="folder holding <dataset>/raw (default $HGKIT_DATA, then the "
                          "user cache)")
    trn.add_argument("--dataset", default="hsbm-homophilic", metavar="NAME",
                     help="dataset name (default hsbm-homophilic, synthetic)")
    trn.add_argument("--model", default="hgnn", metavar="NAME",
                     help="model name from the benchmark config (default hgnn)")
    trn.add_argument("--runs", type=_positive_int, default=1, help="seeded splits (default 1)")
    trn.add_argument("--epochs", type=_positive_int, default=None,
                     help="epochs per run (default: the dataset's, else 500)")
    trn.add_argument("--patience", type=_positive_int, default=None,
                     help="early-stopping patience in epochs (default: none)")
    trn.add_argument("--lr", type=float, default=None,
                     help="learning rate (default: the model's config value)")
    trn.add_argument("--seed", type=_nonnegative_int, default=0, help="base seed (default 0)")
    trn.add_argument("--batch-size", type=_positive_int, default=None, metavar="B",
                     help="seed nodes per mini-batch (default: full-batch training)")
    trn.add_argument("--num-neighbors", type=_fanouts, default=(10, 10), metavar="K1,K2",
                     help="hyperedges sampled per node at each hop, one per layer; -1 = all, "
                          "written with '=' when it comes first: --num-neighbors=-1,-1 "
                          "(default 10,10)")
    trn.add_argument("--member-cap", type=_positive_int, default=None, metavar="K",
                     help="members sampled per hyperedge (default: all)")
    trn.add_argument("--eval-batch-size", type=_positive_int, default=None, metavar="B",
                     help="evaluate on sampled neighbourhoods in batches of B nodes "
                          "(default: on the full hypergraph)")
    trn.add_argument("--distributed", action="store_true",
                     help="data-parallel training in the torchrun process group (gloo)")
    trn.add_argument("--save", metavar="PATH", default=None,
                     help="write the trained state_dict (rank 0)")
    trn.add_argument("--threads", type=_positive_int, default=None,
                     help="torch intra-op threads per process")
    trn.add_argument("--json", metavar="PATH", default=None, help="write the records as JSON")
    trn.add_argument("--markdown", metavar="PATH", default=None,
                     help="write the Markdown table")
    trn.add_argument("--no-download", action="store_true",
                     help="never download; missing files are an error")
    trn.add_argument("--no-progress", action="store_true", help="hide progress bars")
    trn.set_defaults(handler=_train)

    info = commands.add_parser("info", help="versions, threads and machine",
                               description="Print versions, torch threads and the machine.")
    info.set_defaults(handler=_info)

    data = commands.add_parser(
        "datasets", help="list datasets, show one, verify files' sha256",
        description="The dataset registry. Data root: --data-root, else $HGKIT_DATA, else "
                    "~/.cache/hgkit/datasets; a dataset NAME lives in <root>/NAME/raw.")
    data_cmds = data.add_subparsers(dest="datasets_command", metavar="<action>")
    for action, text in (("list", "every known dataset and every folder under the root"),
                         ("info", "family, files, sizes, URLs and presence of one dataset"),
                         ("verify", "check the sha256 of every present file")):
        sub = data_cmds.add_parser(action, help=text, description=text)
        sub.add_argument("--data-root", metavar="DIR", default=None)
        if action == "info":
            sub.add_argument("name")
        if action == "verify":
            sub.add_argument("names", nargs="*", metavar="NAME",
                             help="datasets to verify (default: every known dataset present)")
        sub.set_defaults(handler=_datasets, datasets_action=action)
    data.set_defaults(handler=_datasets, datasets_action=None)
    return parser


def _error(command: str, message: str) -> int:
    print(f"hgkit {command}: {message}", file=sys.stderr)
    return 2


def _write(path: str, text: str) -> None:
    target = Path(path)
    if target.parent and not target.parent.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def _set_threads(threads: int | None) -> None:
    """``--threads``: torch's intra-op threads (``None``: leave torch's choice)."""
    if threads is not None:
        import torch

        torch.set_num_threads(threads)


def _output(args: argparse.Namespace, table: str, records_json: str) -> None:
    """Print the Markdown table; write it to ``--markdown`` and the records to ``--json``."""
    print(table)
    if args.markdown:
        _write(args.markdown, table + "\n")
    if args.json:
        _write(args.json, records_json)


def _benchmark(args: argparse.Namespace) -> int:
    from hgkit.tasks import benchmark

    try:
        if args.merge is not None:
            records = benchmark.merge_records(*(_read_records(p) for p in args.merge))
            return _emit(records, args)
        config = benchmark.load_config(args.config)
        _set_threads(args.threads)
        records = benchmark.run(args.datasets, args.models, root=args.data_root,
                                runs=args.runs, epochs=args.epochs, seed=args.seed,
                                patience=args.patience, config=config,
                                download=not args.no_download, first_run=args.first_run,
                                progress=not args.no_progress)
    except benchmark.BenchmarkError as exc:
        return _error("benchmark", str(exc))
    return _emit(records, args)


def _train(args: argparse.Namespace) -> int:
    from hgkit.tasks import distributed as D
    from hgkit.tasks.benchmark import BenchmarkError
    from hgkit.tasks.train import markdown_table as train_table
    from hgkit.tasks.train import train

    _set_threads(args.threads)
    rank = 0
    try:
        if args.distributed:
            if args.batch_size is None:
                return _error("train", "--distributed needs mini-batch training: set "
                                       "--batch-size")
            rank, _ = D.init_from_env()
        records = train(args.dataset, args.model, root=args.data_root, runs=args.runs,
                        epochs=args.epochs, seed=args.seed, lr=args.lr,
                        patience=args.patience, batch_size=args.batch_size,
                        num_neighbors=args.num_neighbors, member_cap=args.member_cap,
                        eval_batch_size=args.eval_batch_size, distributed=args.distributed,
                        download=not args.no_download, progress=not args.no_progress,
                        save=args.save)
    except (BenchmarkError, RuntimeError, ValueError) as exc:  # ValueError: e.g. --lr -1
        return _error("train", str(exc))
    finally:
        if args.distributed and D.is_initialized():
            import torch.distributed as dist

            dist.destroy_process_group()
    if rank == 0:
        _output(args, train_table(records), json.dumps(records, indent=2) + "\n")
    return 0


def _distill(args: argparse.Namespace) -> int:
    from hgkit.tasks import distill_bench
    from hgkit.tasks.benchmark import BenchmarkError

    _set_threads(args.threads)
    if not 0.0 <= args.inductive_ratio <= 1.0:
        return _error("distill", f"Expected '--inductive-ratio' in [0, 1] (got "
                                 f"{args.inductive_ratio})")
    records: list[dict[str, Any]] = []
    tables: list[str] = []
    try:
        if not args.speed_only:
            records = distill_bench.run(
                args.datasets, args.models, root=args.data_root, runs=args.runs,
                seed=args.seed, epochs=args.epochs, setting=args.setting,
                inductive_ratio=args.inductive_ratio, teacher=args.teacher, lamb=args.lamb,
                tau=args.tau, reference_loss=args.reference_loss,
                download=not args.no_download, progress=not args.no_progress)
            tables.append(distill_bench.markdown_table(records))
        if args.speed or args.speed_only:
            from hgkit.tasks import distill_speed

            speed = distill_speed.speed_experiment(
                num_nodes=args.speed_nodes, settings=args.speed_settings,
                repeats=args.speed_repeats, seed=args.seed,
                progress=not args.no_progress)
            tables.append(distill_speed.markdown_speed_table(speed))
            from hgkit._env import env_record

            envs = [r for r in records if r.get("task") == "env"] or [env_record()]
            records = [r for r in records if r.get("task") != "env"] + speed + envs
    except (BenchmarkError, ValueError) as exc:
        return _error("distill", str(exc))
    _output(args, "\n\n".join(tables), json.dumps(records, indent=2) + "\n")
    return 0


def _reconstruct(args: argparse.Namespace) -> int:
    from hgkit.tasks import reconstruction as recon
    from hgkit.tasks import reconstruction_bench as bench
    from hgkit.tasks.benchmark import BenchmarkError

    _set_threads(args.threads)
    limits = {"max_cliques": args.max_cliques, "time_limit": args.time_limit}
    try:
        if args.graph is None:
            for flag in ("train", "truth", "output", "method"):
                if getattr(args, flag) is not None:
                    return _error("reconstruct", f"--{flag} needs a GRAPH file (the "
                                                 "benchmark uses --datasets / --models)")
            records = bench.run(args.datasets, args.models, root=args.data_root,
                                runs=args.runs, seed=args.seed, budget=args.budget,
                                download=not args.no_download,
                                progress=not args.no_progress, **limits)
            _output(args, bench.markdown_table(records), bench.dumps(records))
            return 0
        method = args.method or ("shyre" if args.train else "maxclique")
        if method == "shyre" and args.train is None:
            return _error("reconstruct", "--method shyre needs --train HYPERGRAPH (a "
                                         "training hypergraph of the same kind)")
        graph, labels = bench.read_graph(args.graph)
        progress = not args.no_progress
        if method == "maxclique":
            found = recon.max_clique_reconstruction(graph, progress=progress, **limits)
        elif method == "cover":
            found = recon.clique_cover(graph, seed=args.seed, progress=progress)
        else:
            from hgkit.tasks.shyre import SHyRe

            train, _ = bench.read_hyperedges(args.train)
            model = SHyRe(budget=args.budget or 1e4, seed=args.seed, progress=progress,
                          **limits).fit(train)
            found = model.reconstruct_sets(graph)
        print(f"hgkit reconstruct: {len(found):,} hyperedges from a graph with "
              f"{graph.number_of_nodes():,} nodes and {graph.number_of_edges():,} edges "
              f"({method})", file=sys.stderr)
        if args.truth is not None:
            truth, truth_labels = bench.read_hyperedges(args.truth)
            named = [{labels[v] for v in s} for s in found]
            truth_named = [{truth_labels[v] for v in s} for s in truth]
            index = {lab: i for i, lab in enumerate(sorted({x for s in named + truth_named
                                                            for x in s}, key=str))}
            scores = recon.reconstruction_scores([[index[x] for x in s] for s in named],
                                                 [[index[x] for x in s] for s in truth_named])
            print("jaccard {jaccard:.4f} precision {precision:.4f} recall {recall:.4f} "
                  "f1 {f1:.4f}".format(**scores), file=sys.stderr)
        if args.output:
            bench.write_hyperedges(found, labels, args.output)
        else:
            for s in found:
                print(" ".join(str(labels[v]) for v in s))
    except (BenchmarkError, recon.ReconstructionError) as exc:
        return _error("reconstruct", str(exc))
    return 0


def _graph_classification(args: argparse.Namespace) -> int:
    from hgkit.tasks import graph_classification_bench as bench
    from hgkit.tasks.benchmark import BenchmarkError

    _set_threads(args.threads)
    try:
        records = bench.run(args.datasets, args.models, root=args.data_root, seed=args.seed,
                            epochs=args.epochs, patience=args.patience, hidden=args.hidden,
                            num_folds=args.folds, download=not args.no_download,
                            progress=not args.no_progress)
    except BenchmarkError as exc:
        return _error("graph-classification", str(exc))
    _output(args, bench.markdown_table(records), json.dumps(records, indent=2) + "\n")
    return 0


def _hyperedge_prediction(args: argparse.Namespace) -> int:
    from hgkit.tasks import hyperedge_prediction_bench as bench
    from hgkit.tasks.benchmark import BenchmarkError

    _set_threads(args.threads)
    try:
        records = bench.run(args.datasets, args.models, args.negatives, root=args.data_root,
                            runs=args.runs, seed=args.seed, epochs=args.epochs,
                            train_sampler=args.train_sampler, download=not args.no_download,
                            progress=not args.no_progress)
    except BenchmarkError as exc:
        return _error("hyperedge-prediction", str(exc))
    _output(args, bench.markdown_table(records), json.dumps(records, indent=2) + "\n")
    return 0


def _holp(args: argparse.Namespace) -> int:
    from hgkit.tasks import holp_bench as bench
    from hgkit.tasks.benchmark import BenchmarkError

    _set_threads(args.threads)
    scores = args.scores
    if scores == ["all"]:
        scores = "all"
    try:
        records = bench.run(args.datasets, scores, root=args.data_root,
                            label_mode=args.label_mode, max_dense_nodes=args.max_dense_nodes,
                            download=not args.no_download, progress=not args.no_progress)
    except BenchmarkError as exc:
        return _error("holp", str(exc))
    _output(args, bench.markdown_table(records), json.dumps(records, indent=2) + "\n")
    return 0


def _read_records(path: str) -> list[dict[str, Any]]:
    from hgkit.tasks.benchmark import BenchmarkError

    try:
        records = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BenchmarkError(f"Cannot read records from {path!r}: {exc}") from None
    if not isinstance(records, list) or not all(
            isinstance(r, dict) and ("task" in r) for r in records):
        raise BenchmarkError(f"Expected {path!r} to hold a JSON list of benchmark records")
    rows = [r for r in records if r["task"] != "env"]
    for r in rows:
        if not isinstance(r.get("scores"), list) or not {"dataset", "model"} <= set(r):
            raise BenchmarkError(f"Expected every record of {path!r} to have 'dataset', "
                                 "'model' and per-run 'scores'")
    return records


def _emit(records: list[dict[str, Any]], args: argparse.Namespace) -> int:
    _output(args, markdown_table(records), json.dumps(records, indent=2) + "\n")
    return 0


def _info(args: argparse.Namespace) -> int:
    from hgkit._env import env_record

    env = env_record()
    for key in ("hgkit", "torch", "numpy", "python", "threads", "cpu_count", "machine",
                "platform", "git"):
        print(f"{key}: {env[key]}")
    return 0


def _datasets(args: argparse.Namespace) -> int:
    from hgkit import datasets
    from hgkit.datasets.base import data_root

    action = args.datasets_action
    if action is None:
        return _error("datasets", "expected an action: list, info NAME or verify [NAME ...]")
    root = data_root(args.data_root)
    if action == "list":
        print(f"data root: {root}")
        print("| name | family | files present |")
        print("|---|---|---|")
        for name in datasets.list(root):
            try:
                family = datasets.family_of(name, root)
            except datasets.DatasetError:
                family = "unknown"
            known = datasets.base.known_files(name)
            raw = root / name / "raw"
            present = sum((raw / f.path).exists() for f in known)
            count = f"{present}/{len(known)}" if known else "not a known dataset"
            print(f"| {name} | {family} | {count} |")
        return 0
    if action == "info":
        try:
            meta = datasets.info(args.name, root)
        except datasets.DatasetError as exc:
            return _error("datasets", str(exc))
        print(f"name: {meta['name']}\nfamily: {meta['family']}\nraw dir: {meta['raw_dir']}")
        if not meta["files"]:
            print("files: none known (a folder hgkit has not seen; no checksums)")
        for f in meta["files"]:
            state = "present" if f["present"] else "missing"
            size = "?" if f["bytes"] is None else f"{f['bytes']:,} B"
            print(f"  {f['path']}  {size}  {state}  {f['url']}")
        return 0
    names = args.names or [n for n in datasets.list(root) if (root / n / "raw").is_dir()
                           and datasets.base.known_files(n)]
    unknown = [n for n in names if not datasets.base.known_files(n)]
    if unknown:
        return _error("datasets", f"no checksums known for {unknown}")
    counts = {"ok": 0, "missing": 0, "MISMATCH": 0}
    for name in names:
        for path, status in datasets.verify(name, root):
            counts[status] += 1
            if status != "ok":
                print(f"{status}: {name}/raw/{path}")
    print(f"verified {len(names)} dataset(s) under {root}: {counts['ok']} ok, "
          f"{counts['missing']} missing, {counts['MISMATCH']} mismatched")
    return 1 if counts["MISMATCH"] else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``hgkit`` command with ``argv`` (default ``sys.argv[1:]``); return the exit code.

    Example:
        >>> main(["info"])  # doctest: +ELLIPSIS
        hgkit: ...
        0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(None if argv is None else list(argv))
    except SystemExit as exc:  # --help, --version, or a usage error reported by argparse
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    if getattr(args, "handler", None) is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        return 130
