"""One step-timing routine for every page: what it records (never how fast)."""

import pytest
import torch

from optguide.step_costs import StepCosts, measure, step_costs


def test_measure_records_every_block_and_the_state_each_optimizer_keeps():
    threads = torch.get_num_threads()
    costs = measure(("sgd", "adagrad", "adam"), batch_size=8, block=2, rounds=3)
    assert torch.get_num_threads() == threads
    assert len(costs.pass_blocks) == 3 * 3 * 2  # rounds x optimizers x implementations
    assert all(len(v) == 3 for v in costs.update_blocks.values())
    assert {key[0] for key in costs.update_blocks} == {"torch.optim", "from scratch"}
    assert [costs.state_per_weight(n) for n in ("sgd", "adagrad", "adam")] == [0, 1, 2]
    assert costs.state_bytes["adam"] == 2 * 4 * costs.weights
    assert costs.step_ms("adam") == costs.pass_ms + costs.update_ms("adam")
    assert costs.extra("sgd") == 0
    assert costs.setting() == f"median of 3 blocks of 2 steps, 1 thread, batch 8, " \
                              f"{costs.weights:,} weights"


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="unknown optimizers: lion"):
        measure(("lion",), block=1, rounds=1)
    with pytest.raises(ValueError, match=">= 1"):
        measure(("sgd",), block=0)


def test_the_site_measurement_is_taken_once_per_process(monkeypatch):
    import optguide.step_costs as module

    calls = []

    def fake(optimizers, batch_size):
        calls.append((tuple(optimizers), batch_size))
        return StepCosts(batch_size, 1, 1, 1, 1, [1.0], {}, {}, {})

    step_costs.cache_clear()
    monkeypatch.setattr(module, "measure", fake)
    try:
        assert step_costs() is step_costs()
        assert len(calls) == 1 and calls[0][1] == 64
    finally:
        step_costs.cache_clear()
