"""The public datasets the shipped models learn from, with their licences and credits.

Checkpoint cards copy these entries, and the About tab and README credit them from here.
"""

from aigc_demo.backend.checkpoint import DatasetInfo

MNIST = DatasetInfo(
    name="MNIST",
    license="CC BY-SA 3.0",
    source="http://yann.lecun.com/exdb/mnist/",
    attribution="Yann LeCun, Corinna Cortes and Christopher J.C. Burges",
)
TINY_SHAKESPEARE = DatasetInfo(
    name="tiny-shakespeare",
    license="Public domain text; char-rnn distribution MIT",
    source="https://github.com/karpathy/char-rnn",
    attribution="William Shakespeare; compiled by Andrej Karpathy for char-rnn",
)
FSDD = DatasetInfo(
    name="Free Spoken Digit Dataset",
    license="CC BY-SA 4.0",
    source="https://github.com/Jakobovski/free-spoken-digit-dataset",
    attribution="Zohar Jackson and contributors",
)
TANG_POEMS = DatasetInfo(
    name="Tang poems (Quan Tangshi)",
    license="Public domain poems; chinese-poetry compilation MIT",
    source="https://github.com/chinese-poetry/chinese-poetry",
    attribution="chinese-poetry project (JackeyGao and contributors)",
)

ALL = (MNIST, TINY_SHAKESPEARE, FSDD, TANG_POEMS)
