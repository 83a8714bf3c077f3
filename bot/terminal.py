"""Terminal views: an `Estimate` or a price listing as aligned, coloured tables (plain text when piped)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from costing import HELP_SECTIONS, Estimate, PriceListing, format_count, format_ratio, format_usd, source_words

__all__ = ["print_estimate", "print_help", "print_prices"]


def print_estimate(estimate: Estimate, console: Console) -> None:
    """The estimate as a table: API price and compute cost side by side, per unit, in total, per period."""
    counts = " × ".join(f"{format_count(c.value)}{' ' + c.noun if c.noun else ''}" for c in estimate.counts) or "1"
    period = f" per {estimate.period}" if estimate.period else ""
    title = Text.assemble(
        (f"{estimate.model_name}", "bold cyan"), f" · {estimate.workload} · ", (f"{counts}{period}", "bold")
    )
    console.print(title)
    table = Table(show_edge=False, header_style="bold")
    table.add_column("")
    spend = "Your price" if estimate.api.price.override else "API price"  # `at $0.2/s`: not the list price
    table.add_column(spend, justify="right", style="green")
    table.add_column("GPU compute", justify="right", style="magenta")
    table.add_row(f"per {estimate.unit}", format_usd(estimate.api.unit_usd), format_usd(estimate.compute.unit_usd))
    total_label = f"total per {estimate.period}" if estimate.period else "total"
    table.add_row(
        Text(total_label, style="bold"),
        Text(format_usd(estimate.api.total_usd), style="bold green"),
        Text(format_usd(estimate.compute.total_usd), style="bold magenta"),
    )
    if estimate.per_user_usd is not None and estimate.users:
        table.add_row(
            f"per user{period}",
            format_usd(estimate.per_user_usd),
            format_usd(estimate.compute.total_usd / estimate.users),
        )
    if estimate.projections:
        compute_projections = estimate.compute.projections or {}
        for name, amount in estimate.projections.items():
            if name != estimate.period:
                table.add_row(f"per {name}", format_usd(amount), format_usd(compute_projections[name]))
    console.print(table)
    compute = estimate.compute
    console.print(
        Text.assemble(
            ("Compute  ", "bold"),
            f"{format_usd(compute.total_low_usd)} – {format_usd(compute.total_high_usd)} {total_label}",
            ("  (batched serving at scale ↔ one request at a time; the table shows serving at scale)", "dim"),
        )
    )
    basis = compute.basis
    if basis.get("family"):
        console.print(Text(f"         {basis['family_name']}: {basis['why']}", style="dim"), soft_wrap=True)

    if estimate.value is not None:
        value = estimate.value
        line = Text.assemble(("Value  ", "bold"), value.description, " → ", (format_usd(value.total_usd), "bold"))
        if value.period:
            line.append(f" per {value.period}")
        if value.ratio is not None:
            style = "bold green" if value.ratio >= 1 else "bold red"
            line.append(f"  ·  value ÷ {'your-price' if estimate.api.price.override else 'API'} spend ")
            line.append(format_ratio(value.ratio), style=style)
        if value.compute_ratio is not None:
            line.append(f"  ·  ÷ compute {format_ratio(value.compute_ratio)}")
        console.print(line)
        if value.break_even_unit_usd is not None:
            console.print(
                f"       break-even price: {format_usd(value.break_even_unit_usd)} per {estimate.unit} "
                f"(now {format_usd(estimate.api.unit_usd)})"
            )
        if value.payback_days is not None:
            console.print(f"       pays back the one-off cost in {format_count(value.payback_days.quantize(1))} days")

    price = estimate.api.price
    console.print(Text.assemble(("Price  ", "bold"), price.description, (f"  ({source_words(price)})", "dim")))
    console.print(Text("       " + price.source, style="dim"), soft_wrap=True)
    for warning in estimate.warnings:
        console.print(Text.assemble(("⚠ ", "bold yellow"), (warning, "yellow")))
    console.print(Text("Assumptions", style="bold dim"))
    for assumption in estimate.assumptions:
        console.print(Text(f"  • {assumption}", style="dim"))


def print_prices(listing: PriceListing, console: Console) -> None:
    """Known prices as one table, with a line on the token-priced models not shown."""
    if not listing.rows:
        console.print(f"No prices match '{listing.filter}'. Try a provider (openai), a kind (video) or a model (veo).")
    else:
        # Sources go in numbered notes under the table: whole URLs, not URLs folded into a narrow column.
        sources: dict[str, int] = {}
        table = Table(show_edge=False, header_style="bold")
        for name, justify in (
            ("model", "left"),
            ("kind", "left"),
            ("variant", "left"),
            ("price", "right"),
            ("status", "left"),
            ("checked", "left"),
            ("src", "right"),
        ):
            table.add_column(name, justify=justify, no_wrap=name in {"model", "src"})  # type: ignore[arg-type]
        for row in listing.rows:
            status_style = {"retired": "red", "preview": "yellow", "deprecated": "yellow"}.get(
                row.status.split()[0], ""
            )
            note = sources.setdefault(row.source, len(sources) + 1)
            table.add_row(
                Text(row.model, style="cyan"),
                row.modality,
                row.variant,
                row.price,
                Text(row.status, style=status_style),
                row.checked.isoformat() if row.checked else "genai-prices",
                Text(f"[{note}]", style="dim"),
            )
        console.print(table)
        for source, note in sources.items():
            console.print(Text(f"[{note}] {source}", style="dim"), soft_wrap=True)
    if any(r.modality in {"chat", "agent", "embed"} for r in listing.rows):
        console.print("[dim]Token prices: input / output, in USD per 1M tokens.[/dim]")
    console.print(
        f"[dim]Token prices from {listing.token_data} (COSTBOT_PRICE_UPDATES refreshes them in "
        "costbot serve and costbot scheduler).[/dim]",
        soft_wrap=True,
    )
    if listing.token_models_hidden:
        hint = "narrow the filter" if listing.filter else "filter to see them, e.g. 'prices claude'"
        console.print(
            f"[dim]Plus {listing.token_models_hidden} token-priced chat and embedding models from genai-prices; "
            f"{hint}.[/dim]"
        )


def print_help(console: Console) -> None:
    console.print("[bold]costbot[/bold] — what will this AI feature cost at scale, and is it worth it?\n")
    for section in HELP_SECTIONS:
        console.print(f"[bold]{section.title}[/bold]")
        for line in section.lines:
            console.print(f"  {line}", highlight=False, markup=False)
        for example in section.examples:
            console.print(Text(f'    costbot cost "{example}"', style="cyan"))
        console.print()
