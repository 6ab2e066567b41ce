"""What residents read on buttons for procedures nobody wrote a plain name for."""

from handlers.procedures import distinct_labels
from knowledge.models import Procedure
from knowledge.names import short_title


def test_official_names_lose_their_boilerplate() -> None:
    assert short_title("Thủ tục đăng ký khai sinh") == "Đăng ký khai sinh"
    assert (
        short_title("Xác nhận số chứng minh nhân dân 09 số (thực hiện tại cấp xã)")
        == "Xác nhận số chứng minh nhân dân 09 số"
    )
    long = short_title("Cấp giấy phép " + "rất dài " * 30)
    assert len(long) <= 90 and long.endswith("…")


def test_procedures_with_the_same_short_name_get_labels_that_differ() -> None:
    online = Procedure(
        code="1.013083",
        name="Đăng ký xe tạm thời thực hiện bằng dịch vụ công trực tuyến toàn trình",
    )
    in_part = Procedure(
        code="1.013084",
        name="Đăng ký xe tạm thời thực hiện bằng dịch vụ công trực tuyến một phần hoặc trực tiếp",
    )
    plain = Procedure(code="1.001193", name="Thủ tục đăng ký khai sinh", plain_name="Khai sinh")
    labels = distinct_labels([online, in_part, plain])
    assert online.display_name == in_part.display_name == "Đăng ký xe tạm thời"
    assert len(set(labels)) == 3
    assert labels[2] == "Khai sinh"
    assert "toàn trình" in labels[0] and "một phần" in labels[1]
